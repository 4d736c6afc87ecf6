from django import forms

from helpdesk.models import LANGUAGE_CHOICES


class ChatStartForm(forms.Form):
    name = forms.CharField(max_length=200, required=False, label="Your name (optional)")
    email = forms.EmailField(
        required=False,
        label="Email (optional)",
        help_text="We send a code to it: type it in the chat to link your account.",
    )
    language = forms.ChoiceField(choices=LANGUAGE_CHOICES, initial="en")


class EmailCodeForm(forms.Form):
    code = forms.RegexField(
        regex=r"^\s*\d{6}\s*$",
        label="Code from the email",
        error_messages={"invalid": "Type the six digits from the email."},
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "one-time-code"}),
    )
