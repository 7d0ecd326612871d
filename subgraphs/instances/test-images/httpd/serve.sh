#!/bin/sh
# Serves / and /health on $PORT (busybox httpd). DATA: a directory to write into (the volume).
# FAIL_AFTER: seconds after which /health disappears (the health check then fails).
echo "up on $PORT"
echo "on stderr" >&2
mkdir -p /www
echo "from docker" > /www/index.html
echo ok > /www/health
if [ -n "$DATA" ]; then echo hello > "$DATA/hello.txt"; fi
if [ -n "$FAIL_AFTER" ]; then (sleep "$FAIL_AFTER"; rm -f /www/health; echo "health gone") & fi
exec httpd -f -p "$PORT" -h /www
