"""`{% load humanize %}` for the one page that loads it: allauth's list of security keys, which
says when each was last used with `naturaltime`.

django.contrib.humanize is not an installed app: its template library makes some twenty lazy
plural translations as it is imported (each one a class of its own), and a template engine
imports every installed app's libraries at start-up, about half a megabyte in every worker for
one filter on one page. This library offers that filter under the same name and imports
Django's when it is first used, so the page says what it said before.
"""

from __future__ import annotations

from django import template

register = template.Library()


@register.filter
def naturaltime(value):
    from django.contrib.humanize.templatetags.humanize import naturaltime as django_naturaltime

    return django_naturaltime(value)
