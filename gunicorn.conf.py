"""gunicorn's settings for dxplan, read by ``gunicorn dxplan.wsgi`` run from this folder.

Only the worker timeout is set here: the first request for a plan revision's PDF prints it
inside the request (reports/pdf.py), bounded by ``PRINT_TIMEOUT_MS``. gunicorn's default 30 s
would kill a worker whose print is slow on a busy server, so a worker gets longer than the
print's own bound and the print fails cleanly (HTTP 503, in Japanese) instead.
Everything else (bind address, workers) stays on the command line, as the README shows.
"""

# reports.pdf.PRINT_TIMEOUT_MS (90 s) plus Django's work around it; a test checks the order.
timeout = 120
