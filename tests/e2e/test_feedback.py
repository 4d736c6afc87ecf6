"""After a handoff: the agent rates it in one click, the customer answers the survey in the chat,
and a supervisor sees both on the dashboard."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.contrib.auth.models import User
from playwright.sync_api import Browser, Page, expect

from escalation.models import HandoffRating, Survey
from helpdesk.models import Conversation
from tests.e2e.test_live_chat import customer_starts_chat, send, sign_in
from tests.support.factories import make_agent
from tests.support.server import AsgiServer

pytestmark = pytest.mark.e2e


@pytest.mark.usefixtures("knowledge_base")
def test_the_agent_rates_the_handoff_and_the_customer_answers_the_survey(
    browser: Browser, server: AsgiServer, artifacts: Path
) -> None:
    make_agent("dana", "Dana Whitfield")
    User.objects.create_superuser("morgan", "morgan@example.com", "pw-morgan")
    customer = browser.new_context().new_page()
    customer_starts_chat(customer, server)
    send(customer, "I was charged twice, I want to talk to a person")
    expect(customer.locator("[data-chat-status]")).to_have_text("Waiting for a member of our team.")
    conversation = Conversation.objects.get()

    agent = browser.new_context().new_page()
    sign_in(agent, server)
    agent.goto(f"{server.url}/agent/conversations/{conversation.public_id}/")
    agent.get_by_role("button", name="Join conversation").click()
    rating = agent.locator("[data-rating]")
    rating.get_by_label("What was missing? (optional)").fill("the order number")
    rating.get_by_role("button", name="Context was missing").click()
    expect(agent.locator("[data-rated]")).to_have_text(
        "You said: Context was missing · missing: the order number"
    )
    agent.screenshot(path=str(artifacts / "agent-rating.png"))
    agent.get_by_role("button", name="Resolve").click()

    survey = customer.locator("li.msg-assistant", has_text="How satisfied are you")
    survey.get_by_role("button", name="4").click()
    repeat = customer.locator("li.msg-assistant", has_text="Did you have to repeat")
    repeat.get_by_role("button", name="No").click()
    comment = customer.locator("li.msg-assistant", has_text="Anything you would like to tell us")
    comment.get_by_role("button", name="Send", exact=True).click()
    comment.get_by_label("Your comment").fill("Quick, thanks <3")
    comment.locator(".choice-input button").click()
    expect(customer.locator("li.msg-assistant .body").last).to_have_text(
        "Thank you, that helps us a lot."
    )
    expect(survey.get_by_role("button", name="4")).to_have_class("chosen")
    expect(customer.locator("[data-chat-form]")).to_be_hidden()  # closed: no more messages
    customer.screenshot(path=str(artifacts / "chat-survey.png"))
    answers = Survey.objects.get()
    assert (answers.satisfaction, answers.repeated, answers.comment) == (
        4,
        False,
        "Quick, thanks <3",
    )
    assert HandoffRating.objects.get().verdict == "missing"

    supervisor = browser.new_context().new_page()
    supervisor.goto(server.url + "/supervisor/")
    supervisor.get_by_label("Username").fill("morgan")
    supervisor.get_by_label("Password").fill("pw-morgan")
    supervisor.get_by_role("button", name="Log in").click()
    expect(supervisor.locator("h1")).to_have_text("Escalations and handoffs")
    quality = supervisor.locator('[data-table="quality_trigger"] tbody tr').first
    expect(quality).to_contain_text("4.0")
    expect(quality).to_contain_text("the order number")
    supervisor.screenshot(path=str(artifacts / "dashboard.png"), full_page=True)
    expect(supervisor.locator('[data-chart="triggers"] .bar-row')).to_have_count(5)
    for width in (1280, 375):
        supervisor.set_viewport_size({"width": width, "height": 800})
        assert clipped_chart_parts(supervisor) == [], f"clipped at {width} px"


# Each part of the trigger chart (label, bar, figure) must lie inside the chart and beside,
# never over, the others: what is measured is the rendered boxes.
CLIPPED_PARTS = """() => {
  const chart = document.querySelector('[data-chart="triggers"]').getBoundingClientRect();
  const out = [];
  for (const row of document.querySelectorAll('[data-chart="triggers"] .bar-row')) {
    const [label, bar, value] = ['dt', 'meter', '.value'].map(
      (css) => row.querySelector(css).getBoundingClientRect());
    const inside = [label, bar, value].every(
      (box) => box.left >= chart.left - 0.5 && box.right <= chart.right + 0.5 && box.width > 0);
    const apart = label.right <= bar.left && bar.right <= value.left;
    const name = row.querySelector('dt').textContent;
    if (!inside || !apart) out.push(name);
    if (row.querySelector('.value').scrollWidth > value.width + 0.5) out.push(name + ' value');
  }
  return out;
}"""


def clipped_chart_parts(page: Page) -> list[str]:
    return page.evaluate(CLIPPED_PARTS)
