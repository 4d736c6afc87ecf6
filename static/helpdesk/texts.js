/* The words a page's script shows come from the server, translated there with gettext
 * (helpdesk/pagetexts.py, agents/pagetexts.py) and written into the page by Django's json_script
 * filter: a <script type="application/json">, data the Content-Security-Policy allows. No
 * English lives in the scripts. */

/** The JSON in the element with this id; a page without it is a template's mistake. */
export function readJson(id) {
  const element = document.getElementById(id);
  if (!element) throw new Error(`#${id} is missing from the page`);
  return JSON.parse(element.textContent);
}

/** "%(name)s is typing…" with {name: "Dana"}: Python's named placeholders, kept by gettext. */
export function format(text, values) {
  return text.replace(/%\((\w+)\)s/g, (placeholder, name) =>
    name in values ? String(values[name]) : placeholder,
  );
}
