"""Accessibility audit in the browser: the checks a screen-reader, keyboard or low-vision user
depends on, run generically on a representative set of pages at desktop and phone widths.

On each page (`audit`):
- the document: `<html lang>`, one `<h1>`, one `<main>`, a skip link first when there is a
  navigation, no duplicate ids, every id that an attribute points at exists;
- every control has an accessible name (its label, aria-labelledby, aria-label or, for a button
  or link, its text), a field with an error is `aria-invalid` and described by the error, and
  every visible error list is tied to a field;
- images have alt text, inline SVGs are hidden or named; data tables have header cells (scoped
  outside `<thead>`) and a caption or a name; links that act (htmx posts) are buttons or forms,
  and nothing is tabbable by a positive tabindex or from a non-interactive element without a role;
- contrast: each visible text node against its effective background, resolved up the tree
  (4.5:1, or 3:1 for large text); typed text and placeholders in inputs too; disabled controls
  are not checked;
- focus: each tabbable control, focused as a keyboard does, shows an outline (on itself or its
  card) whose colour stands 3:1 against what is around it;
- keyboard: Tab from the top reaches every tabbable control (one radio per group), without
  getting stuck.

The checks are written here (no axe-core offline): they are the small subset we rely on, not a
full WCAG conformance test.
"""

from __future__ import annotations

import uuid

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from connectors_admin.accounts.models import Membership, Role
from connectors_admin.connectors.models import Connector
from connectors_admin.credentials.models import Credential
from tests.browser.pages import S3_PATH, sign_in, wait_htmx_idle
from tests.conftest import S3_FORM

pytestmark = pytest.mark.browser

VIEWPORTS = {"desktop": {"width": 1280, "height": 800}, "phone": {"width": 390, "height": 844}}

# Shared by the in-page checks: which elements take focus, whether one is shown, colours.
HELPERS = r"""
const describe = (el) => {
  if (!el || !el.tagName) return String(el);
  let s = el.tagName.toLowerCase();
  if (el.id) s += '#' + el.id;
  if (el.getAttribute('name')) s += '[name=' + el.getAttribute('name') + ']';
  if (typeof el.className === 'string' && el.className.trim()) s += '.' + el.className.trim().split(/\s+/).join('.');
  const text = (el.textContent || '').trim().replace(/\s+/g, ' ').slice(0, 40);
  return text ? s + ' "' + text + '"' : s;
};
const shown = (el) => el.checkVisibility({visibilityProperty: true}) && !el.closest('[inert]');
const TABBABLE = 'a[href], button, input:not([type=hidden]), select, textarea, ' +
  'details > summary:first-of-type, [tabindex], iframe, [contenteditable=""], [contenteditable=true]';
const tabbables = () => [...document.querySelectorAll(TABBABLE)].filter((el) =>
  el.tabIndex >= 0 && !el.disabled && shown(el) && !el.closest('fieldset:disabled'));
const parse = (c) => {
  const m = /rgba?\(([^)]*)\)/.exec(c || '');
  if (!m) return null;
  const p = m[1].split(/[\s,\/]+/).filter(Boolean).map(parseFloat);
  return {r: p[0], g: p[1], b: p[2], a: p.length > 3 ? p[3] : 1};
};
const over = (top, bottom) => ({
  r: top.r * top.a + bottom.r * (1 - top.a), g: top.g * top.a + bottom.g * (1 - top.a),
  b: top.b * top.a + bottom.b * (1 - top.a), a: 1});
const lum = (c) => {
  const f = (v) => { v /= 255; return v <= 0.03928 ? v / 12.92 : Math.pow((v + 0.055) / 1.055, 2.4); };
  return 0.2126 * f(c.r) + 0.7152 * f(c.g) + 0.0722 * f(c.b);
};
const ratio = (a, b) => { const x = lum(a), y = lum(b); return (Math.max(x, y) + 0.05) / (Math.min(x, y) + 0.05); };
// The colour behind `el`: its own background and its ancestors', composited down to the first
// opaque one (white under the page). Background images are not read.
const backgroundOf = (el) => {
  const layers = [];
  for (let node = el; node && node.nodeType === 1; node = node.parentElement) {
    const c = parse(getComputedStyle(node).backgroundColor);
    if (c && c.a > 0) { layers.push(c); if (c.a >= 1) break; }
  }
  let result = {r: 255, g: 255, b: 255, a: 1};
  for (const layer of layers.reverse()) result = over(layer, result);
  return result;
};
const opacityOf = (el) => {
  let o = 1;
  for (let node = el; node && node.nodeType === 1; node = node.parentElement) o *= parseFloat(getComputedStyle(node).opacity);
  return o;
};
"""

AUDIT = (
    "() => {"
    + HELPERS
    + r"""
const problems = [];
const add = (kind, el, extra) => problems.push(kind + ': ' + describe(el) + (extra ? ' ' + extra : ''));
const text = (el) => (el ? (el.textContent || '').replace(/\s+/g, ' ').trim() : '');
const byIds = (value) => (value || '').split(/\s+/).filter(Boolean).map((id) => document.getElementById(id));

// The document.
if (!document.documentElement.lang) problems.push('html has no lang');
const h1s = [...document.querySelectorAll('h1')].filter(shown);
if (h1s.length !== 1) problems.push('h1 count is ' + h1s.length + ': ' + h1s.map(describe).join(', '));
const mains = document.querySelectorAll('main, [role=main]');
if (mains.length !== 1) problems.push('main landmark count is ' + mains.length);
if (document.querySelector('nav')) {
  const first = tabbables()[0];
  const target = first && first.matches('a[href^="#"]') && document.getElementById(first.getAttribute('href').slice(1));
  if (!target) problems.push('a nav but no skip link first: ' + describe(first));
}
const seen = new Map();
for (const el of document.querySelectorAll('[id]')) {
  if (seen.has(el.id)) add('duplicate id', el, 'also on ' + describe(seen.get(el.id)));
  else seen.set(el.id, el);
}
for (const attr of ['aria-describedby', 'aria-labelledby', 'aria-controls', 'for']) {
  for (const el of document.querySelectorAll('[' + attr + ']')) {
    byIds(el.getAttribute(attr)).forEach((ref) => {
      if (!ref) add(attr + ' points nowhere', el, el.getAttribute(attr));
    });
  }
}

// Names.
const nameOf = (el) => {
  if (el.hasAttribute('aria-labelledby')) {
    const named = byIds(el.getAttribute('aria-labelledby')).map(text).join(' ').trim();
    if (named) return named;
  }
  const label = (el.getAttribute('aria-label') || '').trim();
  if (label) return label;
  if (el.labels && el.labels.length) {
    const labelled = [...el.labels].map((l) => {
      const copy = l.cloneNode(true);
      copy.querySelectorAll('input, select, textarea').forEach((c) => c.remove());
      return text(copy);
    }).join(' ').trim();
    if (labelled) return labelled;
  }
  if (el.matches('input[type=submit], input[type=button], input[type=reset]')) return (el.value || '').trim();
  if (el.matches('input[type=image], img')) return (el.getAttribute('alt') || '').trim();
  if (el.matches('a, button, summary, [role=button], [role=link], [role=tab]')) {
    const copy = el.cloneNode(true);
    copy.querySelectorAll('[aria-hidden=true]').forEach((c) => c.remove());
    copy.querySelectorAll('img[alt]').forEach((img) => img.replaceWith(img.alt));
    const own = text(copy);
    if (own) return own;
  }
  return (el.getAttribute('title') || '').trim();
};
const CONTROLS = 'input:not([type=hidden]), select, textarea, button, a[href], summary, ' +
  '[role=button], [role=link], [role=checkbox], [role=tab], [role=combobox], [role=textbox]';
for (const el of document.querySelectorAll(CONTROLS)) {
  if (el.closest('[aria-hidden=true]') || (!shown(el) && !el.closest('.visually-hidden'))) continue;
  if (!nameOf(el)) add('no accessible name', el);
}

// Errors tied to their fields.
for (const el of document.querySelectorAll('[aria-invalid=true]')) {
  const described = byIds(el.getAttribute('aria-describedby')).filter(Boolean);
  if (!described.some((d) => text(d))) add('invalid but not described by an error', el);
}
for (const list of document.querySelectorAll('.errorlist')) {
  if (!shown(list)) continue;
  const tied = list.id && document.querySelector('[aria-describedby~="' + CSS.escape(list.id) + '"]');
  if (!tied) { add('error not tied to a field', list); continue; }
  const field = list.closest('.field, fieldset');
  if (field) {
    for (const control of field.querySelectorAll('input:not([type=hidden]), select, textarea')) {
      // A radio or checkbox in a group may be described through its fieldset instead.
      const group = control.closest('fieldset[aria-describedby]');
      const viaGroup = Boolean(group) && /^(checkbox|radio)$/.test(control.type) &&
        group.getAttribute('aria-describedby').split(/\s+/).includes(list.id);
      const own = (control.getAttribute('aria-describedby') || '').split(/\s+/).includes(list.id);
      if (!own && !viaGroup) add('field not described by its error', control, list.id);
      if (control.getAttribute('aria-invalid') !== 'true' && !viaGroup) add('field with an error not aria-invalid', control);
    }
  }
}

// Images and icons.
for (const img of document.querySelectorAll('img')) if (!img.hasAttribute('alt')) add('img without alt', img);
for (const svg of document.querySelectorAll('svg')) {
  if (svg.closest('[aria-hidden=true]')) continue;
  if (!(svg.getAttribute('role') === 'img' && (svg.getAttribute('aria-label') || svg.querySelector('title')))) add('svg neither hidden nor named', svg);
}

// Tables: a data table (a header row, or more than one column) says what each column is.
for (const table of document.querySelectorAll('table')) {
  if (table.getAttribute('role') === 'presentation' || table.getAttribute('role') === 'none') continue;
  if (!table.querySelector('th')) { add('table without header cells', table); continue; }
  const named = (table.caption && text(table.caption)) || table.getAttribute('aria-label') || byIds(table.getAttribute('aria-labelledby')).some(text);
  if (!named) add('table without caption or name', table);
  for (const th of table.querySelectorAll('th')) {
    if (!th.closest('thead') && !th.hasAttribute('scope')) add('th outside thead without scope', th);
  }
}

// Buttons and links used for what they are.
for (const a of document.querySelectorAll('a')) {
  const href = a.getAttribute('href');
  if (['hx-post', 'hx-put', 'hx-patch', 'hx-delete'].some((h) => a.hasAttribute(h))) add('link that changes something (a button)', a);
  else if (href === null && a.getAttribute('role') !== 'button' && (a.hasAttribute('hx-get') || a.hasAttribute('tabindex'))) add('link without href', a);
  else if (href === '#' || (href || '').startsWith('javascript:')) add('link to nowhere (a button)', a);
}
for (const el of document.querySelectorAll('[tabindex]')) {
  if (el.tabIndex > 0) add('positive tabindex', el);
  if (el.tabIndex === 0 && !el.matches(TABBABLE.replace(', [tabindex]', '')) && !el.getAttribute('role')) add('tabbable without a role', el);
}
for (const el of document.querySelectorAll('[hx-trigger*=click], [onclick]')) {
  if (!el.matches('a[href], button, input, select, summary, form, [role=button]')) add('clickable non-control', el);
}

// Contrast of text.
const checkText = (el, fg, size, weight, where) => {
  const bg = backgroundOf(el);
  const color = {...fg, a: fg.a * opacityOf(el)};
  const r = ratio(over(color, bg), bg);
  const large = size >= 24 || (size >= 18.66 && weight >= 700);
  if (r < (large ? 3 : 4.5) - 0.005) add('contrast ' + r.toFixed(2) + ':1' + (large ? ' (large)' : ''), el, where);
};
const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
for (let node = walker.nextNode(); node; node = walker.nextNode()) {
  const el = node.parentElement;
  if (!node.textContent.trim() || !el || el.closest('script, style, noscript, template, option, [aria-hidden=true]')) continue;
  if (el.closest(':disabled, [aria-disabled=true]') || !shown(el)) continue;
  const range = document.createRange();
  range.selectNodeContents(node);
  const box = range.getBoundingClientRect();
  if (box.width <= 1 || box.height <= 1) continue;  // visually hidden: read, not seen
  const style = getComputedStyle(el);
  checkText(el, parse(style.color), parseFloat(style.fontSize), parseInt(style.fontWeight, 10), '');
}
for (const el of document.querySelectorAll('input:not([type=hidden]):not([type=checkbox]):not([type=radio]):not([type=file]), select, textarea')) {
  if (el.disabled || !shown(el)) continue;
  const style = getComputedStyle(el);
  checkText(el, parse(style.color), parseFloat(style.fontSize), parseInt(style.fontWeight, 10), 'typed text');
  if (el.placeholder) {
    const ph = getComputedStyle(el, '::placeholder');
    checkText(el, parse(ph.color), parseFloat(ph.fontSize), parseInt(ph.fontWeight, 10), 'placeholder');
  }
}
return problems;
}"""
)

# Focus each tabbable control in turn as a keyboard would (the page was last used by keyboard, so
# :focus-visible applies) and look for an outline on it or on the card around it.
FOCUS = (
    "() => {"
    + HELPERS
    + r"""
const problems = [];
const outlined = (el) => {
  const s = getComputedStyle(el);
  return s.outlineStyle !== 'none' && parseFloat(s.outlineWidth) >= 1 && parse(s.outlineColor) && parse(s.outlineColor).a > 0 ? s : null;
};
const seenGroups = new Set();
for (const el of tabbables()) {
  if (el.type === 'radio') { if (seenGroups.has(el.name)) continue; seenGroups.add(el.name); }
  el.focus({preventScroll: true});
  if (document.activeElement !== el) { problems.push('cannot take focus: ' + describe(el)); continue; }
  if (!el.matches(':focus-visible')) { problems.push('focus not visible-by-keyboard: ' + describe(el)); continue; }
  let ring = null, holder = null;
  for (let node = el, depth = 0; node && depth < 4 && !ring; node = node.parentElement, depth++) {
    ring = outlined(node); holder = node;
  }
  if (!ring) { problems.push('no focus outline: ' + describe(el)); continue; }
  // The outline sits outside the holder (offset >= 0): against the background around it.
  const around = parseFloat(ring.outlineOffset) < 0 ? backgroundOf(holder) : backgroundOf(holder.parentElement || holder);
  const r = ratio(over(parse(ring.outlineColor), around), around);
  if (r < 3) problems.push('focus outline contrast ' + r.toFixed(2) + ':1: ' + describe(el));
}
document.activeElement && document.activeElement.blur();
return problems;
}"""
)

# Number every tabbable control and record each one that Tab lands on.
KEYBOARD_START = (
    "() => {"
    + HELPERS
    + r"""
const all = tabbables();
const groups = new Set();
window.__a11yExpected = [];
all.forEach((el, i) => {
  el.__a11yIndex = i;
  if (el.type === 'radio') { if (groups.has(el.name)) return; groups.add(el.name); }
  window.__a11yExpected.push(i);
});
window.__a11yReached = [];
window.__a11yDescribe = all.map(describe);
window.__a11yGroups = all.map((el) => (el.type === 'radio' ? el.name : null));
document.addEventListener('focusin', (event) => window.__a11yReached.push(event.target.__a11yIndex ?? -1));
// Start where a keyboard user starts: on the first stop (the skip link).
if (all.length) all[0].focus();
return all.length;
}"""
)

KEYBOARD_MISSED = r"""() => {
  const reached = new Set(window.__a11yReached);
  const groupsReached = new Set([...reached].map((i) => window.__a11yGroups[i]).filter(Boolean));
  return window.__a11yExpected
    .filter((i) => !reached.has(i) && !(window.__a11yGroups[i] && groupsReached.has(window.__a11yGroups[i])))
    .map((i) => 'not reached by Tab: ' + window.__a11yDescribe[i]);
}"""


def audit(page: Page, name: str) -> list[str]:
    """Every problem the checks find on the page as it is now, each prefixed with `name`."""
    wait_htmx_idle(page)
    problems = page.evaluate(AUDIT)
    page.keyboard.press("Tab")  # the last interaction is the keyboard's: :focus-visible applies
    problems += page.evaluate(FOCUS)
    count = page.evaluate(KEYBOARD_START)
    # A little more than one press a stop: Chromium also stops on scrolling boxes.
    for _ in range(count + count // 5 + 2):
        page.keyboard.press("Tab")
    problems += page.evaluate(KEYBOARD_MISSED)
    return [f"{name}: {problem}" for problem in problems]


def open_all_details(page: Page) -> None:
    """Open every collapsed section, so that what it holds (code blocks, exchanges) is checked."""
    page.evaluate("() => document.querySelectorAll('details').forEach((d) => { d.open = true; })")


def test_pages_pass_the_audit_at_desktop_and_phone_widths(
    page: Page, sandbox, team, owner, credential, make_user, client_for, console_errors
):
    Membership.objects.create(team=team, user=make_user("ada"), role=Role.MEMBER)
    client = client_for(owner)
    for prefix in ("raw/a", "raw/b", "exports/c"):
        body = {**S3_FORM, "s3_prefix": prefix, "credential": credential.pk}
        assert client.post(S3_PATH, {**body, "form_token": uuid.uuid4()}).status_code == 302
    connector = Connector.objects.filter(template="mixpanel-s3").first()
    # Something for the dashboard's "Needs attention" to list: a refresh failed, a test too.
    Connector.objects.filter(pk=connector.pk).update(last_error="Mixpanel answered HTTP 503.")
    Credential.objects.filter(pk=credential.pk).update(
        last_check_ok=False, last_check_at=timezone.now()
    )
    pages = {
        "dashboard, needs attention": "/teams/acme/",
        "connector list, filtered": "/teams/acme/connectors/?q=raw/",
        "connector detail": f"/teams/acme/connectors/{connector.pk}/",
        "credential detail": f"/teams/acme/credentials/{credential.pk}/",
        "members": "/teams/acme/members/",
        "audit trail": "/teams/acme/audit/",
    }
    problems: list[str] = []
    for width, size in VIEWPORTS.items():
        page.context.clear_cookies()
        page.set_viewport_size(size)
        page.goto(f"{sandbox}/accounts/login/")
        problems += audit(page, f"{width} sign-in")
        page.get_by_role("button", name="Sign in").click()
        expect(page.locator(".errorlist, .alert-error").first).to_be_visible()
        problems += audit(page, f"{width} sign-in with errors")

        sign_in(page.context, owner, sandbox)
        for name, path in pages.items():
            page.goto(sandbox + path)
            open_all_details(page)
            problems += audit(page, f"{width} {name}")

        # A create sent empty through htmx: the summary takes focus (a screen reader reads it)
        # and each field is tied to its error.
        page.goto(sandbox + S3_PATH)
        page.get_by_role("button", name="Create connector").click()
        summary = page.locator("#create-panel [role=alert]")
        expect(summary).to_be_focused()
        expect(page.get_by_label("Bucket")).to_have_attribute("aria-invalid", "true")
        problems += audit(page, f"{width} create form with errors")
        # An inline check's error, which comes while focus is on the next field, is said.
        page.get_by_label("Bucket").fill("Acme_Events")
        page.get_by_label("Bucket").press("Tab")
        expect(page.locator("#page-said")).to_contain_text("Bucket: ")
        expect(page.locator("#page-said")).to_have_attribute("role", "status")
        # Put right, that is said in turn: the error is not left as the last word.
        page.get_by_label("Bucket").fill("acme-events")
        page.get_by_label("Bucket").press("Tab")
        expect(page.locator("#page-said")).to_have_text("Bucket: corrected.")
    assert problems == [], "\n".join(problems)
    assert console_errors == []


def test_select_all_and_bulk_delete_work_from_the_keyboard(
    page: Page, sandbox, owner, credential, client_for, console_errors
):
    client = client_for(owner)
    for prefix in ("raw/a", "raw/b"):
        body = {**S3_FORM, "s3_prefix": prefix, "credential": credential.pk}
        assert client.post(S3_PATH, {**body, "form_token": uuid.uuid4()}).status_code == 302
    sign_in(page.context, owner, sandbox)
    page.goto(f"{sandbox}/teams/acme/connectors/")
    rows = page.locator('#connector-table input[name="connector"]')
    expect(rows).to_have_count(2)
    everything = page.get_by_role("checkbox", name="Select every connector on this page")
    everything.focus()
    page.keyboard.press("Space")
    expect(everything).to_be_checked()
    for box in rows.all():
        expect(box).to_be_checked()
    page.keyboard.press("Space")
    for box in rows.all():
        expect(box).not_to_be_checked()
    rows.first.focus()
    page.keyboard.press("Space")
    # The confirmation is a page of its own, reached and answered by keyboard.
    page.get_by_role("button", name="Delete…").focus()
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("Delete 1 connector at its provider?")
    problems = audit(page, "bulk delete confirmation")
    assert problems == [], "\n".join(problems)
    page.get_by_role("button", name="Delete 1 at the provider").focus()
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", level=1)).to_have_text("Connectors")
    wait_htmx_idle(page)
    assert console_errors == []


BROKEN = """<!doctype html><html><head><style>
  .faint { color: #aaa; background: #fff; } button:focus-visible { outline: none; }
</style></head><body>
  <nav><a href="/a">A</a></nav>
  <h1>One</h1><h1>Two</h1>
  <p class="faint">Hard to read</p>
  <input id="twice" name="unnamed"><select id="twice"></select>
  <input aria-invalid="true" name="bad"><img src="data:,">
  <table><tr><td>1</td><td>2</td></tr></table>
  <a hx-post="/delete">Delete</a><div tabindex="0">focusable</div>
  <button>Go</button>
</body></html>"""


def test_the_audit_finds_what_it_looks_for(page: Page):
    """The checks themselves, on a page that breaks each rule once: none of them is vacuous."""
    page.set_content(BROKEN)
    found = "\n".join(audit(page, "broken"))
    for problem in (
        "html has no lang",
        "h1 count is 2",
        "main landmark count is 0",
        "no skip link first",
        "duplicate id: select#twice",
        "no accessible name: input#twice[name=unnamed]",
        "invalid but not described by an error: input[name=bad]",
        "img without alt",
        "table without header cells",
        "link that changes something",
        "tabbable without a role: div",
        'contrast 2.32:1: p.faint "Hard to read"',
        'no focus outline: button "Go"',
    ):
        assert problem in found, (problem, found)
