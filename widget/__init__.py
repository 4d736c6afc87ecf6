"""The chat widget: one script tag puts the customer chat on the company's own site."""
