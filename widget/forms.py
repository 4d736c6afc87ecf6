from django import forms
from django.utils.translation import gettext_lazy as _

from helpdesk.models import LANGUAGE_CHOICES
from widget.identity import MAX_USER_ID


class WidgetStartForm(forms.Form):
    """The widget's first screen. The identity fields are the host page's, passed on by the
    frame's script (static/helpdesk/widget/frame.js); nobody types them."""

    name = forms.CharField(max_length=200, required=False, label=_("Your name (optional)"))
    language = forms.ChoiceField(choices=LANGUAGE_CHOICES, initial="en")
    user_id = forms.CharField(max_length=MAX_USER_ID, required=False, widget=forms.HiddenInput)
    email = forms.CharField(max_length=254, required=False, widget=forms.HiddenInput)
    user_hash = forms.CharField(max_length=128, required=False, widget=forms.HiddenInput)
