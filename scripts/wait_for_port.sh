#!/usr/bin/env bash
# wait_for_port.sh PORT SECONDS: wait until something listens on localhost:PORT.
port=$1; limit=${2:-60}
for _ in $(seq 1 "$limit"); do
  (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null && exit 0
  sleep 1
done
echo "nothing listens on port $port after ${limit}s (see logs/)" >&2
exit 1
