/* Small helpers the chat's parts share. */

/** A fresh id for a message or a button press, so that sending it twice stores it once. */
export function newClientId() {
  if (window.crypto.randomUUID) return window.crypto.randomUUID(); // secure contexts only
  const bytes = new Uint8Array(16);
  window.crypto.getRandomValues(bytes);
  return Array.from(bytes, (byte) => byte.toString(16).padStart(2, "0")).join("");
}

/** A value made safe inside a CSS attribute selector. */
export function cssEscape(value) {
  return window.CSS && CSS.escape ? CSS.escape(value) : value.replace(/["\\]/g, "\\$&");
}

/** "14:05", in the reader's own time zone and fashion; "" for a date that is not one. */
export function formatTime(iso) {
  const date = new Date(iso);
  return isNaN(date) ? "" : date.toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" });
}

export function element(tag, className) {
  const made = document.createElement(tag);
  if (className) made.className = className;
  return made;
}
