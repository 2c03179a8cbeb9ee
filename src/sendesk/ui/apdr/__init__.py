"""The Assess-Plan-Do-Review wizard, one concept a module.

- ``wizard``: the dialog (``ApdrWizard``) that holds the four pages and drives refreshes;
- ``view``: what the wizard reads for one cycle, in one trip to the worker (``CycleView``);
- ``page``: what every page shares (the draft state, showing the core's refusals);
- ``assess_page``, ``plan_page``, ``do_page``, ``review_page``: the four parts;
- ``dialogs``: the outcome and provision-item dialogs with their live checks;
- ``widgets``: small widget helpers the pages share.
"""
