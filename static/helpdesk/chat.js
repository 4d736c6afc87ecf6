/* The live chat, for the customer page and the agent page alike.
 *
 * Nothing the server sends is ever parsed as HTML: every text goes in through textContent.
 * Messages are keyed by their per-conversation sequence number, so a message that arrives
 * twice (an ack and a broadcast, or a resync after a reconnect) is drawn once. Messages the
 * user wrote wait in an outbox kept in localStorage until the server acknowledges them, and
 * are sent again after a reconnect; the client id makes the resend harmless.
 */
(function () {
  "use strict";

  var root = document.querySelector("[data-chat]");
  if (!root) { return; }

  var viewer = root.dataset.viewer;
  // Per viewer: an agent page opened in the customer's browser must never send their messages.
  var outboxKey = "helpdesk-outbox:" + viewer + ":" + root.dataset.conversation;
  var maxBytes = Number(root.dataset.maxBytes || 8192) - 200;  // room for the JSON around the body
  var log = root.querySelector("[data-chat-log]");
  var form = root.querySelector("[data-chat-form]");
  var input = form ? form.querySelector("textarea") : null;
  var connectionEl = root.querySelector("[data-chat-connection]");
  var statusEl = root.querySelector("[data-chat-status]");
  var typingEl = root.querySelector("[data-chat-typing]");
  var restartForm = document.querySelector("[data-chat-restart]");

  var rendered = {};        // seq -> <li>
  var contiguousSeq = 0;    // every message up to this seq is on the page
  var socket = null;
  var retryDelay = 500;
  var gaveUp = false;
  var typingTimer = null;
  var lastTypingSent = 0;

  function loadOutbox() {
    try { return JSON.parse(localStorage.getItem(outboxKey) || "[]"); } catch (e) { return []; }
  }
  function saveOutbox(items) {
    try { localStorage.setItem(outboxKey, JSON.stringify(items)); } catch (e) { /* private mode */ }
  }
  var outbox = loadOutbox();
  // Another tab of the same conversation may have queued or cleared messages meanwhile.
  function updateOutbox(change) {
    outbox = change(loadOutbox());
    saveOutbox(outbox);
  }

  function newClientId() {
    if (window.crypto && window.crypto.randomUUID) { return window.crypto.randomUUID(); }
    var bytes = new Uint8Array(16);
    window.crypto.getRandomValues(bytes);
    return Array.prototype.map.call(bytes, function (b) { return ("0" + b.toString(16)).slice(-2); }).join("");
  }

  function formatTime(iso) {
    var date = new Date(iso);
    return isNaN(date) ? "" : date.toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" });
  }

  function isMine(message) {
    return message.author_kind === viewer;
  }

  function bubble(kind, mine) {
    var li = document.createElement("li");
    li.className = "msg msg-" + kind + (mine ? " msg-mine" : "");
    var meta = document.createElement("div");
    meta.className = "meta";
    var who = document.createElement("span");
    who.className = "who";
    var when = document.createElement("time");
    meta.appendChild(who);
    meta.appendChild(when);
    var body = document.createElement("div");
    body.className = "body";
    li.appendChild(meta);
    li.appendChild(body);
    return li;
  }

  function fill(li, message) {
    li.dataset.seq = message.seq;
    li.querySelector(".who").textContent = isMine(message) && viewer === "customer" ? "You" : (message.author_name || "");
    var when = li.querySelector("time");
    when.textContent = formatTime(message.created_at);
    when.setAttribute("datetime", message.created_at);
    li.querySelector(".body").textContent = message.body;
    if (message.actions && message.actions.choices) { drawChoices(li, message); }
  }

  // -- buttons under an assistant message (callback offers, time slots) ----------------------
  var latestChoiceSeq = 0;   // only the newest offer can be answered
  var pendingChoices = {};   // client id -> the <li> whose button was pressed

  function drawChoices(li, message) {
    var old = li.querySelector(".choices");
    if (old) { old.remove(); }
    var box = document.createElement("div");
    box.className = "choices";
    box.dataset.seq = message.seq;
    message.actions.choices.forEach(function (choice) {
      var button = document.createElement("button");
      button.type = "button";
      button.textContent = choice.label;
      button.dataset.choice = choice.id;
      if (choice.input) { button.dataset.input = choice.input; }
      button.addEventListener("click", function () { pressChoice(li, box, button, message); });
      box.appendChild(button);
    });
    var error = document.createElement("p");
    error.className = "choice-error";
    error.hidden = true;
    box.appendChild(error);
    li.appendChild(box);
    if (message.seq > latestChoiceSeq) {
      latestChoiceSeq = message.seq;
      log.querySelectorAll(".choices").forEach(function (other) {
        if (Number(other.dataset.seq) < latestChoiceSeq) { settleChoices(other, null); }
      });
    }
    settleChoices(box, message.actions.chosen || null);
  }

  function settleChoices(box, chosen) {
    var closed = viewer !== "customer" || chosen || Number(box.dataset.seq) < latestChoiceSeq;
    box.querySelectorAll("button").forEach(function (button) {
      button.disabled = Boolean(closed);
      if (chosen && button.dataset.choice === chosen) { button.classList.add("chosen"); }
    });
    if (closed) { var form = box.querySelector("form"); if (form) { form.remove(); } }
  }

  function pressChoice(li, box, button, message) {
    if (!button.dataset.input) { sendChoice(li, box, message.seq, button.dataset.choice, ""); return; }
    // A phone number or email address goes with this choice: ask for it beside the button.
    var old = box.querySelector("form");
    if (old) { old.remove(); }
    var form = document.createElement("form");
    form.className = "choice-input";
    var field = document.createElement("input");
    var kind = button.dataset.input;
    var phone = kind === "phone";
    field.type = { phone: "tel", email: "email" }[kind] || "text";
    field.required = true;
    field.maxLength = 254;
    field.placeholder = { phone: "+44 20 7946 0958", email: "you@example.com" }[kind] || "";
    field.setAttribute("aria-label", {
      phone: "Your phone number", email: "Your email address"
    }[kind] || "Your comment");
    if (phone && message.actions.prefill) { field.value = message.actions.prefill; }
    var confirm = document.createElement("button");
    confirm.type = "submit";
    confirm.className = "primary";
    confirm.textContent = button.textContent + " ✓";
    form.appendChild(field);
    form.appendChild(confirm);
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      sendChoice(li, box, message.seq, button.dataset.choice, field.value.trim());
    });
    box.insertBefore(form, box.querySelector(".choice-error"));
    field.focus();
  }

  function sendChoice(li, box, seq, choice, contact) {
    var clientId = newClientId();
    pendingChoices[clientId] = box;
    var frame = { type: "action", seq: seq, choice: choice, client_id: clientId };
    if (contact) { frame.contact = contact; }
    if (!send(frame)) { showChoiceError(box, "Not connected; try again in a moment."); }
  }

  function showChoiceError(box, text) {
    var error = box.querySelector(".choice-error");
    error.textContent = text;
    error.hidden = false;
  }

  function insertInOrder(li, seq) {
    var next = null;
    var items = log.querySelectorAll("li[data-seq]");
    for (var i = items.length - 1; i >= 0; i--) {
      if (Number(items[i].dataset.seq) < seq) { next = items[i].nextSibling; break; }
      next = items[i];
    }
    // Pending messages always stay at the bottom, after every stored one.
    var firstPending = log.querySelector("li.pending");
    if (next === null || (firstPending && next === firstPending)) { next = firstPending; }
    log.insertBefore(li, next);
  }

  function render(message) {
    var li = null;
    if (message.client_id) {
      // A stored message settles its pending copy, even when the message is already drawn
      // (its ack was lost, then the page reloaded with it still in the outbox).
      li = log.querySelector('li.pending[data-client-id="' + cssEscape(message.client_id) + '"]');
      if (li) { li.remove(); li.classList.remove("pending", "failed"); }
      forget(message.client_id);
    }
    if (rendered[message.seq]) { return; }
    if (message.author_kind === "system") {
      li = bubble("system", false);
    } else if (!li) {
      li = bubble(message.author_kind, isMine(message));
    }
    fill(li, message);
    rendered[message.seq] = li;
    insertInOrder(li, message.seq);
    while (rendered[contiguousSeq + 1]) { contiguousSeq += 1; }
    if (message.seq > contiguousSeq + 1) { requestSync(); }  // a notification was lost: catch up
    log.scrollTop = log.scrollHeight;
  }

  function cssEscape(value) {
    return window.CSS && CSS.escape ? CSS.escape(value) : value.replace(/["\\]/g, "\\$&");
  }

  function forget(clientId) {
    if (!outbox.some(function (item) { return item.client_id === clientId; })) { return; }
    updateOutbox(function (items) {
      return items.filter(function (item) { return item.client_id !== clientId; });
    });
  }

  function showPending(item) {
    var li = bubble(viewer, true);
    li.classList.add("pending");
    li.dataset.clientId = item.client_id;
    li.querySelector(".who").textContent = viewer === "customer" ? "You" : "";
    li.querySelector("time").textContent = "sending…";
    li.querySelector(".body").textContent = item.body;
    log.appendChild(li);
    log.scrollTop = log.scrollHeight;
  }

  function markFailed(clientId, text) {
    var li = log.querySelector('li.pending[data-client-id="' + cssEscape(clientId) + '"]');
    forget(clientId);
    if (!li) { return; }
    li.classList.add("failed");
    li.querySelector("time").textContent = "not sent: " + text;
  }

  function send(frame) {
    if (socket && socket.readyState === WebSocket.OPEN) {
      socket.send(JSON.stringify(frame));
      return true;
    }
    return false;
  }

  function flushOutbox() {
    outbox.forEach(function (item) {
      send({ type: "message", body: item.body, client_id: item.client_id });
    });
  }

  var syncRequested = false;
  function requestSync() {
    if (syncRequested) { return; }
    syncRequested = send({ type: "sync", after: contiguousSeq });
  }

  function setConnection(text, state) {
    connectionEl.textContent = text;
    connectionEl.dataset.state = state;
  }

  function setStatus(status, agentName) {
    if (!statusEl) { return; }
    var texts = viewer === "customer" ? {
      assistant: "Our assistant is here to help.",
      waiting: "Waiting for a member of our team.",
      with_agent: agentName ? "You are chatting with " + agentName + "." : "You are chatting with our team.",
      callback: "We will call you back at the time you chose.",
      follow_up: "We will follow up by email.",
      resolved: "This conversation is closed."
    } : {
      assistant: "With the assistant",
      waiting: "Waiting for an agent",
      with_agent: "With an agent" + (agentName ? " · " + agentName : ""),
      callback: "Callback scheduled",
      follow_up: "Email follow-up",
      resolved: "Resolved"
    };
    statusEl.textContent = texts[status] || status;
    if (status === "resolved") {
      if (form) { form.hidden = true; }
      if (restartForm) { restartForm.hidden = false; }
    }
  }

  function showTyping(frame) {
    if (!typingEl) { return; }
    clearTimeout(showTyping.timer);
    if (!frame.active) { typingEl.hidden = true; return; }
    var name = frame.name || (frame.who === "customer" ? "The customer" : "Someone");
    typingEl.textContent = name + " is typing…";
    typingEl.hidden = false;
    showTyping.timer = setTimeout(function () { typingEl.hidden = true; }, 6000);
  }

  var retryTimer = null;
  function retryOutboxLater() {
    // One timer however many messages were refused: resending all at once would be refused again.
    if (retryTimer) { return; }
    retryTimer = setTimeout(function () { retryTimer = null; flushOutbox(); }, 5000);
  }

  function catchUp(lastSeq) {
    if (typeof lastSeq === "number" && lastSeq > contiguousSeq) { requestSync(); }
  }

  var handlers = {
    welcome: function (frame) {
      setConnection("Connected", "open");
      if (frame.status) { setStatus(frame.status, frame.agent); }
      syncRequested = false;
      requestSync();
      flushOutbox();
    },
    sync: function (frame) {
      frame.messages.forEach(render);
      if (frame.complete) { syncRequested = false; }
    },
    message: function (frame) { render(frame.message); },
    ack: function (frame) { render(frame.message); },
    typing: showTyping,
    status: function (frame) { setStatus(frame.status, frame.agent); },
    pong: function (frame) { catchUp(frame.last_seq); },
    choice: function (frame) {
      var box = log.querySelector('.choices[data-seq="' + Number(frame.seq) + '"]');
      if (box) { settleChoices(box, frame.chosen); }
    },
    action_ack: function (frame) {
      var box = pendingChoices[frame.client_id];
      if (box) { box.querySelector(".choice-error").hidden = true; }
      delete pendingChoices[frame.client_id];
    },
    error: function (frame) {
      if (frame.client_id && pendingChoices[frame.client_id]) {
        showChoiceError(pendingChoices[frame.client_id], frame.message);
        delete pendingChoices[frame.client_id];
      } else if (frame.code === "rate_limited") {
        retryOutboxLater();
      } else if (frame.client_id) {
        markFailed(frame.client_id, frame.message);
      } else {
        console.warn("chat error", frame.code, frame.message);
      }
    }
  };

  function connect() {
    var scheme = location.protocol === "https:" ? "wss://" : "ws://";
    setConnection(retryDelay > 500 ? "Reconnecting…" : "Connecting…", "connecting");
    socket = new WebSocket(scheme + location.host + root.dataset.wsPath);
    socket.onmessage = function (event) {
      var frame;
      try { frame = JSON.parse(event.data); } catch (e) { return; }
      retryDelay = 500;
      var handler = handlers[frame.type];
      if (handler) { handler(frame); }
    };
    socket.onclose = function (event) {
      syncRequested = false;
      if (event.code === 4403) {
        gaveUp = true;
        setConnection("This chat link is no longer valid. Reload the page.", "closed");
        return;
      }
      if (event.code === 4429) {  // too many of this chat's windows open: try again slowly
        setConnection("This chat is open in too many windows. Close some; this one reconnects.", "closed");
        setTimeout(connect, 15000 + Math.random() * 5000);
        return;
      }
      setConnection("Reconnecting…", "connecting");
      var delay = retryDelay + Math.random() * 250;
      retryDelay = Math.min(retryDelay * 2, 5000);
      setTimeout(connect, delay);
    };
  }

  function submit(event) {
    event.preventDefault();
    var body = input.value.trim();
    if (!body) { return; }
    var item = { client_id: newClientId(), body: body };
    if (new TextEncoder().encode(body).length > maxBytes) {
      showPending(item);
      markFailed(item.client_id, "this message is too long; please split it up.");
      return;
    }
    updateOutbox(function (items) { return items.concat([item]); });
    showPending(item);
    input.value = "";
    send({ type: "message", body: item.body, client_id: item.client_id });
    sendTyping(false);
  }

  function sendTyping(active) {
    clearTimeout(typingTimer);
    var now = Date.now();
    if (active) {
      if (now - lastTypingSent > 2500) { send({ type: "typing", active: true }); lastTypingSent = now; }
      typingTimer = setTimeout(function () { sendTyping(false); }, 4000);
    } else if (lastTypingSent) {
      send({ type: "typing", active: false });
      lastTypingSent = 0;
    }
  }

  if (form && root.dataset.canPost === "true") {
    form.addEventListener("submit", submit);
    input.addEventListener("input", function () { sendTyping(input.value.length > 0); });
    input.addEventListener("keydown", function (event) {
      if (event.key === "Enter" && !event.shiftKey) { submit(event); }
    });
  }

  var initial = document.getElementById("chat-initial");
  if (initial) { JSON.parse(initial.textContent).forEach(render); }
  outbox.forEach(showPending);
  setInterval(function () { if (!gaveUp) { send({ type: "ping" }); } }, 25000);
  connect();
})();
