from __future__ import annotations

from django.urls import path

from . import views

app_name = "credentials"
prefix = "teams/<slug:team>/credentials/"
urlpatterns = [
    path(prefix, views.credential_list, name="list"),
    path(prefix + "new/", views.credential_new, name="new"),
    path(prefix + "new/<slug:kind>/", views.credential_add, name="add"),
    path(prefix + "<int:pk>/", views.credential_detail, name="detail"),
    path(prefix + "<int:pk>/edit/", views.credential_edit, name="edit"),
    path(prefix + "<int:pk>/rotate/", views.credential_rotate, name="rotate"),
    path(prefix + "<int:pk>/test/", views.credential_test, name="test"),
    path(prefix + "<int:pk>/toggle/", views.credential_toggle, name="toggle"),
    path(prefix + "<int:pk>/delete/", views.credential_delete, name="delete"),
    path(prefix + "<int:pk>/compare/", views.credential_compare, name="compare"),
]
