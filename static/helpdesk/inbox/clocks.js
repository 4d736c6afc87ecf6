/* The inbox's clocks: waiting times tick every second from the timestamps the server rendered,
 * and due times, sent in UTC, are shown in the agent's own time zone. Both run again after each
 * htmx swap of the list. */

import { format } from "../texts.js";

const two = (number) => String(number).padStart(2, "0");

/** "42 s", "3 min 05 s", "1 h 02 min", in the words texts.waited gives. */
function waited(seconds, texts) {
  if (seconds < 60) return format(texts.seconds, { seconds });
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return format(texts.minutes, { minutes, seconds: two(seconds % 60) });
  return format(texts.hours, { hours: Math.floor(minutes / 60), minutes: two(minutes % 60) });
}

function tick(texts) {
  const now = Date.now() / 1000;
  document.querySelectorAll("[data-waiting-since]").forEach((element) => {
    const since = Number(element.dataset.waitingSince);
    element.textContent = waited(Math.max(0, Math.floor(now - since)), texts);
  });
}

function localTimes() {
  document.querySelectorAll("time[data-local-time]").forEach((element) => {
    const when = new Date(element.getAttribute("datetime"));
    if (isNaN(when)) return;
    element.textContent = when.toLocaleString([], {
      weekday: "short",
      day: "numeric",
      month: "short",
      hour: "2-digit",
      minute: "2-digit",
    });
    element.removeAttribute("data-local-time");
  });
}

/** texts: {seconds, minutes, hours}, each with its placeholders. */
export function startClocks(texts) {
  document.body.addEventListener("htmx:afterSwap", localTimes);
  document.body.addEventListener("htmx:afterSwap", () => tick(texts));
  localTimes();
  tick(texts);
  setInterval(() => tick(texts), 1000);
}
