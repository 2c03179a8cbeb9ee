"""The use cases built on the store and the session: creating, opening and unlocking a school
database (``lifecycle``), its users (``users``), backups and restores (``backup``) and the full
health check (``verify``).

They sit above ``session`` (they make and use Sessions) and below the repositories, which is
why they are not in ``store/``: the store holds only storage primitives (the database, the key
file, the migrations, the audit chain, file helpers) and never imports a Session.
"""
