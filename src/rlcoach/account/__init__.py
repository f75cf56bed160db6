"""The CLI's side of the rlcoach server: device login, tokens, account and billing calls.

Design: the client and the server share no code and meet only over HTTP (docs/server.md
is the contract). ``client`` speaks the wire format, ``device_flow`` runs RFC 8628,
``tokens`` keeps tokens per server URL (keyring, else a 0600 file), ``session`` makes
signed-in calls and refreshes on 401. No typer/rich here: the library raises
``rlcoach.errors.AccountError`` and never prints; ``rlcoach.cli.account`` renders.
"""
