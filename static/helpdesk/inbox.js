/* The escalation inbox (templates/agents/inbox.html): its socket (the chat's, socket.js) says
 * when the list changed and htmx fetches it again; a new escalation raises a desktop
 * notification and a chime (which the agent can mute); an alert stays on the page until
 * dismissed; the waiting times tick every second, and offers count down. Its words come from
 * the page (texts.js). */

import { LiveSocket, showConnection } from "./socket.js";
import { format, readJson } from "./texts.js";
import { Alerts } from "./inbox/alerts.js";
import { startClocks } from "./inbox/clocks.js";
import { notify, offerNotifications } from "./inbox/notices.js";
import { Sound } from "./inbox/sound.js";

function summaryUrl(conversation) {
  return `/agent/conversations/${encodeURIComponent(conversation)}/summary/`;
}

function refreshList() {
  const list = document.getElementById("conversation-list");
  if (list && window.htmx) window.htmx.trigger(list, "refresh");
}

function inboxParts(root) {
  const texts = readJson("inbox-texts");
  const sound = new Sound({ button: root.querySelector("[data-mute]"), texts });
  const alerts = new Alerts({
    list: root.querySelector("[data-inbox-alerts]"),
    template: root.querySelector("template[data-inbox-alert-template]"),
  });
  return { root, texts, sound, alerts };
}

/** A conversation joined the queue. */
function announce(event, { root, texts, sound }) {
  root.dataset.lastEscalation = event.conversation;
  sound.chime();
  const body = format(texts.escalation_body, {
    urgency: event.urgency || "normal",
    trigger: (event.trigger || "").replaceAll("_", " "),
  });
  notify(texts.new_escalation, { body, tag: event.conversation }, () => {
    window.focus();
    window.location.href = summaryUrl(event.conversation);
  });
}

/** A reminder, a page or a deadline at risk. */
function alertAgent(event, { texts, sound, alerts }) {
  alerts.show(event, summaryUrl(event.conversation));
  sound.chime();
  notify(texts.reminder, { body: event.text, tag: `alert-${event.conversation}` });
}

function received(event, parts) {
  if (event.type === "inbox.escalated") announce(event, parts);
  if (event.type === "inbox.alert") alertAgent(event, parts);
  if (["inbox.escalated", "inbox.changed", "inbox.alert"].includes(event.type)) refreshList();
}

function startInbox(root) {
  const parts = inboxParts(root);
  const connection = root.querySelector("[data-inbox-connection]");
  const socket = new LiveSocket({
    path: root.dataset.wsPath,
    onFrame: (event) => received(event, parts),
    onOpen: () => {
      showConnection(connection, "open", parts.texts.connection);
      refreshList(); // whatever happened while the socket was down
    },
    onState: (state) => showConnection(connection, state, parts.texts.connection),
    // The inbox's socket says nothing until something happens: a good open is enough.
    backoff: { first: 1000, max: 30000, resetOn: "open" },
  });
  parts.sound.attach();
  offerNotifications(root.querySelector("[data-notify-enable]"));
  startClocks(parts.texts.waited, parts.texts.offer);
  socket.start();
}

const root = document.querySelector("[data-inbox]");
if (root) startInbox(root);
