/* Desktop notifications, once the agent allowed them (the "Enable notifications" button asks). */

function supported() {
  return "Notification" in window;
}

/** Show the button that asks for permission while the agent has not answered yet. */
export function offerNotifications(button) {
  if (!supported() || Notification.permission !== "default") return;
  button.hidden = false;
  button.addEventListener("click", () => {
    Notification.requestPermission().then(() => {
      button.hidden = true;
    });
  });
}

/** A desktop notification, if allowed; onClick brings the agent to the page it is about. */
export function notify(title, options, onClick) {
  if (!supported() || Notification.permission !== "granted") return;
  const note = new Notification(title, options);
  if (onClick) note.onclick = onClick;
}
