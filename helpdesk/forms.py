from django import forms

from helpdesk.models import LANGUAGE_CHOICES


class ChatStartForm(forms.Form):
    name = forms.CharField(max_length=200, required=False, label="Your name (optional)")
    email = forms.EmailField(
        required=False,
        label="Email (optional)",
        help_text="So an agent can follow up if the chat is interrupted.",
    )
    language = forms.ChoiceField(choices=LANGUAGE_CHOICES, initial="en")
