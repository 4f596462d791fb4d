"""gunicorn's settings for dxplan, read by ``gunicorn dxplan.wsgi`` run from this folder.

The worker timeout: the first request for a plan revision's PDF prints it
inside the request (reports/pdf.py), bounded by ``PRINT_TIMEOUT_MS``. gunicorn's default 30 s
would kill a worker whose print is slow on a busy server, so a worker gets longer than the
print's own bound and the print fails cleanly (HTTP 503, in Japanese) instead.
Everything else (bind address, workers) stays on the command line, as the README shows.
"""

# reports.pdf.PRINT_TIMEOUT_MS (90 s) plus Django's work around it; a test checks the order.
timeout = 120

# Threads (4 per worker): measured with bench/load.py on this 2-core machine (50 viewers
# reading a page every second, 6 editors saving back to back), the sync worker held each
# save about a second (median 1,028 ms, 179 saves a minute); threaded workers answered the
# same editors in 170 ms (1,570 saves) with no error and no lost update. Django and the page
# cache are thread-safe; each thread has its own database connection.
worker_class = "gthread"
threads = 4
