/* The inbox's clocks: waiting times tick every second from the timestamps the server rendered,
 * an offer's time left counts down, and due times, sent in UTC, are shown in the agent's own
 * time zone. All run again after each htmx swap of the list. */

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

/** "0:42 left", counted down from the seconds left the server rendered (not from its clock,
 * which may differ from the browser's); texts: {left, over}. */
function countdowns(texts) {
  const now = Date.now() / 1000;
  document.querySelectorAll("[data-offer-left]").forEach((element) => {
    if (!element.dataset.offerEnds) {
      element.dataset.offerEnds = String(now + Number(element.dataset.offerLeft));
    }
    const left = Math.max(0, Math.ceil(Number(element.dataset.offerEnds) - now));
    const time = `${Math.floor(left / 60)}:${two(left % 60)}`;
    element.textContent = left > 0 ? format(texts.left, { time }) : texts.over;
    element.classList.toggle("over", left === 0);
  });
}

/** Offers' countdowns on a page of their own (the handoff summary). */
export function startCountdowns(texts) {
  countdowns(texts);
  setInterval(() => countdowns(texts), 1000);
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

/** waited: {seconds, minutes, hours}; offer: {left, over}; each with its placeholders. */
export function startClocks(waited, offer) {
  const all = () => {
    tick(waited);
    countdowns(offer);
  };
  document.body.addEventListener("htmx:afterSwap", localTimes);
  document.body.addEventListener("htmx:afterSwap", all);
  localTimes();
  all();
  setInterval(all, 1000);
}
