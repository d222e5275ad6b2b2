#!/usr/bin/env bash
# The cluster's figures for 1, 2 and 3 replicas behind HAProxy: cached-token throughput,
# upstream IMS requests per 1,000-request cold stampede, and the p99 invalidation delay.
#   cargo build -p imsbridge && TEST_POSTGRES_URL=postgres://postgres@127.0.0.1:5432/postgres e2e/cluster/bench.sh
exec "$(dirname "$0")/run.sh" --bench
