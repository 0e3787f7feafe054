"""Safety, beside every stage: who may do what, and personal data shown only masked.

Takes a user's name and password (or an SSO identity) and any value that may be a NIK; hands the
pages and the CLI an account with its role, and masked text for tables, exports and messages.

Modules
-------
``auth``
    Local accounts (bcrypt hashes in a JSON file outside git) and the roles ``pengamat``,
    ``perencana``, ``admin``: ``verify``, ``add_account``, ``remove_account``, ``list_accounts``,
    ``sso_account``, ``ensure_demo_admin``.
``privacy``
    Masking of NIK and other personal numbers (``6402**********34``): ``mask_nik``,
    ``mask_nik_series``, ``mask_value``, ``mask_name``, ``mask_preview``, ``is_personal_column``.
"""
