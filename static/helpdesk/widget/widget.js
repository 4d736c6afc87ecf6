/* The chat widget for the company's own site: one classic script tag (docs/widget.md),
 *
 *   <script src="https://help.example/static/helpdesk/widget/widget.js" data-site="KEY" async></script>
 *
 * with, for a signed-in customer, data-user-id, data-email and data-user-hash (the hash made by
 * the site's server with the secret in admin). It puts a launcher button on the page and, in a
 * panel, a frame with the helpdesk's chat (/widget/, which refuses a site not on the admin's
 * list). Everything lives in a shadow root (the page's styles do not reach in, ours do not leak
 * out), styled with a constructed stylesheet (no <style>, no style="": a strict host CSP allows
 * it), and loads nothing but the frame. The frame and this script talk by postMessage, each only
 * with the other's origin (static/helpdesk/widget/frame.js lists the messages). */
(function () {
  "use strict";

  const script = document.currentScript;
  if (!script || !script.dataset.site || document.querySelector("[data-helpdesk-widget]")) return;

  const HOST = "helpdesk-host";
  const FRAME = "helpdesk-widget";
  const READY_GRACE_MS = 4000; // after the frame loads: no "ready" by then, the chat was refused
  const helpdesk = new URL(script.dataset.helpdesk || "../../../", script.src);
  const site = script.dataset.site;
  const identity = {
    user_id: script.dataset.userId || "",
    email: script.dataset.email || "",
    user_hash: script.dataset.userHash || "",
  };
  const openKey = `helpdesk-widget-open:${site}`;
  const seenKey = `helpdesk-widget-seen:${site}`; // {chat, seq}: the last reply the customer saw
  let texts = { open: "Open the chat", close: "Close the chat", title: "Chat with us", unread: "%(count)s unread" };

  const CSS = `
    :host { all: initial; }
    .launcher { position: fixed; right: 20px; bottom: 20px; z-index: 2147483000; width: 56px;
      height: 56px; border-radius: 50%; border: 0; padding: 0; cursor: pointer;
      background: #2f5bea; color: #fff; box-shadow: 0 4px 14px rgba(0, 0, 0, .25);
      display: flex; align-items: center; justify-content: center; }
    .launcher:hover { background: #2448c4; }
    .launcher:focus-visible, .close:focus-visible { outline: 3px solid #ffbf47; outline-offset: 3px; }
    .launcher svg { width: 28px; height: 28px; fill: currentColor; }
    .badge { position: absolute; top: -4px; right: -4px; min-width: 22px; height: 22px;
      box-sizing: border-box; padding: 0 6px; border-radius: 11px; background: #c62828;
      color: #fff; font: 700 12px/22px system-ui, -apple-system, "Segoe UI", Roboto, sans-serif;
      text-align: center; border: 2px solid #fff; }
    .panel { position: fixed; right: 20px; bottom: 88px; z-index: 2147483000; width: 380px;
      height: min(640px, calc(100vh - 120px)); display: flex; flex-direction: column;
      background: #fff; border-radius: 12px; overflow: hidden;
      box-shadow: 0 10px 40px rgba(0, 0, 0, .3); }
    .bar { display: flex; align-items: center; justify-content: space-between;
      padding: 6px 6px 6px 14px; background: #2f5bea; color: #fff;
      font: 600 15px/1.2 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; }
    .close { border: 0; background: transparent; color: #fff; cursor: pointer; width: 44px;
      height: 44px; border-radius: 8px; display: flex; align-items: center; justify-content: center; }
    .close:hover { background: rgba(255, 255, 255, .15); }
    .close svg { width: 20px; height: 20px; fill: currentColor; }
    iframe { flex: 1; width: 100%; border: 0; min-height: 0; }
    [hidden] { display: none !important; }
    @media (max-width: 480px) {
      .panel { inset: 0; width: 100%; height: 100%; border-radius: 0; }
      .launcher.open { display: none; }
    }
  `;

  function svg(path) {
    const ns = "http://www.w3.org/2000/svg";
    const icon = document.createElementNS(ns, "svg");
    icon.setAttribute("viewBox", "0 0 24 24");
    icon.setAttribute("aria-hidden", "true");
    icon.setAttribute("focusable", "false");
    const shape = document.createElementNS(ns, "path");
    shape.setAttribute("d", path);
    icon.append(shape);
    return icon;
  }

  function element(tag, className) {
    const node = document.createElement(tag);
    if (className) node.className = className;
    return node;
  }

  const CHAT_ICON = "M4 3h16a2 2 0 0 1 2 2v11a2 2 0 0 1-2 2H8l-5 4V5a2 2 0 0 1 1-2z";
  const CLOSE_ICON =
    "M18.3 5.7 12 12l6.3 6.3-1.4 1.4L10.6 13.4 4.3 19.7 2.9 18.3 9.2 12 2.9 5.7 4.3 4.3l6.3 6.3 6.3-6.3z";

  const root = element("div");
  root.setAttribute("data-helpdesk-widget", "");
  root.dataset.state = "loading";
  const shadow = root.attachShadow({ mode: "open" });
  const sheet = new CSSStyleSheet();
  sheet.replaceSync(CSS);
  shadow.adoptedStyleSheets = [sheet];

  const launcher = element("button", "launcher");
  launcher.type = "button";
  launcher.hidden = true; // shown once the chat in the frame says it is there
  launcher.setAttribute("aria-expanded", "false");
  launcher.setAttribute("aria-controls", "helpdesk-widget-panel");
  const badge = element("span", "badge");
  badge.hidden = true;
  badge.setAttribute("aria-hidden", "true");
  launcher.append(svg(CHAT_ICON), badge);

  const panel = element("div", "panel");
  panel.id = "helpdesk-widget-panel";
  panel.hidden = true;
  panel.setAttribute("role", "dialog");
  const bar = element("div", "bar");
  const title = element("span");
  const close = element("button", "close");
  close.type = "button";
  close.append(svg(CLOSE_ICON));
  bar.append(title, close);

  const frameUrl = new URL("widget/", helpdesk);
  frameUrl.searchParams.set("site", site);
  frameUrl.searchParams.set("origin", window.location.origin);
  const frame = element("iframe");
  frame.src = frameUrl.href;
  frame.referrerPolicy = "origin"; // the server compares it with the origin named above
  panel.append(bar, frame);
  shadow.append(launcher, panel);

  let unread = 0;
  let ready = false;
  let loads = 0;

  // This page's own storage, not the frame's: a browser that blocks third-party storage
  // refuses the frame any. Refused here too (a private window's quota), it lasts for this page.
  function recall(key) {
    try {
      return JSON.parse(window.localStorage.getItem(key));
    } catch (error) {
      return null;
    }
  }

  function keep(key, value) {
    try {
      window.localStorage.setItem(key, JSON.stringify(value));
    } catch (error) {
      // see recall()
    }
  }

  function tell(message) {
    frame.contentWindow.postMessage({ source: HOST, ...message }, helpdesk.origin);
  }

  function isOpen() {
    return !panel.hidden;
  }

  function label() {
    title.textContent = texts.title;
    panel.setAttribute("aria-label", texts.title);
    frame.title = texts.title;
    close.setAttribute("aria-label", texts.close);
    const action = isOpen() ? texts.close : texts.open;
    const count = texts.unread.replace("%(count)s", String(unread));
    launcher.setAttribute("aria-label", unread ? `${action} (${count})` : action);
    badge.textContent = unread > 9 ? "9+" : String(unread);
    badge.hidden = unread === 0;
  }

  /** focus: the customer opened it (move into the chat); not when restoring after a reload. */
  function open(focus) {
    panel.hidden = false;
    launcher.classList.add("open");
    launcher.setAttribute("aria-expanded", "true");
    keep(openKey, true);
    label();
    if (ready) tell({ type: "open" });
    if (focus) frame.focus();
  }

  function shut(focus) {
    panel.hidden = true;
    launcher.classList.remove("open");
    launcher.setAttribute("aria-expanded", "false");
    keep(openKey, false);
    label();
    if (ready) tell({ type: "close" });
    if (focus) launcher.focus();
  }

  launcher.addEventListener("click", () => (isOpen() ? shut(true) : open(true)));
  close.addEventListener("click", () => shut(true));
  root.addEventListener("keydown", (event) => {
    if (event.key === "Escape" && isOpen()) shut(true);
  });

  window.addEventListener("message", (event) => {
    if (event.source !== frame.contentWindow || event.origin !== helpdesk.origin) return;
    const data = event.data || {};
    if (data.source !== FRAME) return;
    if (data.type === "ready") {
      ready = true;
      if (data.texts) texts = { ...texts, ...data.texts };
      root.dataset.state = "ready";
      launcher.hidden = false;
      label();
      tell({ type: "hello", open: isOpen(), identity, seen: recall(seenKey) });
    } else if (data.type === "unread") {
      unread = Number(data.count) || 0;
      label();
    } else if (data.type === "seen") {
      keep(seenKey, { chat: String(data.chat), seq: Number(data.seq) || 0 });
    } else if (data.type === "escape" && isOpen()) {
      shut(true);
    }
  });

  frame.addEventListener("load", () => {
    loads += 1;
    if (loads > 1) return;
    window.setTimeout(() => {
      if (ready) return;
      // The helpdesk refused this page (not on the site's list, or the site is off): its answer
      // may not be shown in a frame, so nothing here says so but the console.
      root.dataset.state = "refused";
      panel.hidden = true;
      console.warn(`Helpdesk widget: the chat refused ${window.location.origin} for site ${site}.`);
    }, READY_GRACE_MS);
  });

  if (recall(openKey) === true) open(false);
  label();
  (document.body || document.documentElement).append(root);
})();
