from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _


class ChatStartForm(forms.Form):
    name = forms.CharField(max_length=200, required=False, label=_("Your name (optional)"))
    email = forms.EmailField(
        required=False,
        label=_("Email (optional)"),
        help_text=_("We send a code to it: type it in the chat to link your account."),
    )
    # Each language in its own words (settings.LANGUAGES): a reader finds theirs in any page.
    language = forms.ChoiceField(choices=settings.LANGUAGES, initial="en", label=_("Language"))


class EmailCodeForm(forms.Form):
    code = forms.RegexField(
        regex=r"^\s*\d{6}\s*$",
        label=_("Code from the email"),
        error_messages={"invalid": _("Type the six digits from the email.")},
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "one-time-code"}),
    )
