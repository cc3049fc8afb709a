#!/usr/bin/env bash
# Installs the real programs the test suite drives (Debian packages). Idempotent; needs root.
# The daemons these packages might start are not wanted: tests start their own instances.
set -euo pipefail

PACKAGES=(
  bind9-dnsutils # dig, nsupdate: query and update the server in end-to-end tests
  ddclient       # a real dyndns2 client
  libio-socket-ssl-perl # ddclient's ssl=yes (a Recommends, which --no-install-recommends skips)
  inadyn         # another real dyndns2 client (custom provider)
  dnsperf        # npm run bench, npm run bench:dns
  iproute2       # ip netns: agent interface tests in a network namespace
  bind9          # named: RFC 2136 provider target (and secondary of Beacon zones)
  knot           # knotd: RFC 2136 provider target (and secondary of Beacon zones)
  knot-dnsutils  # knsupdate, kdig
  pdns-server    # PowerDNS authoritative with its HTTP API (provider "powerdns")
  pdns-backend-sqlite3
  nsd            # npm run bench: NSD side by side with the other authoritative servers
  chromium       # the admin and agent pages, driven by playwright-core in test/e2e
  certbot        # test/e2e/acme.test.ts: a real ACME client, DNS-01 through Beacon by RFC 2136
  python3-certbot-dns-rfc2136
  lego           # test/e2e/acme.test.ts: another ACME client (its rfc2136 provider)
  pebble         # the ACME test CA those clients use; -dnsserver points it at Beacon
  openssl        # a TLS certificate for Pebble's listener
  postgresql     # the PostgreSQL store adapter's tests start throwaway clusters (initdb, pg_ctl)
  perl           # shasum: the AWS sample's dyndns.sh hashes with it (test/e2e/aws-sample, lambda)
  jq             # the AWS sample's older client reads replies with it (test/e2e/aws-sample)
  curl           # the AWS sample's clients and test/e2e/lambda drive the server with it
  nginx-light    # test/e2e/reverse-proxy: nginx terminating TLS in front of Beacon (docs/deploy)
)

missing=()
for p in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ "${#missing[@]}" -eq 0 ]; then
  echo "test peers: all installed (${PACKAGES[*]})"
  exit 0
fi

echo "test peers: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
# policy-rc.d keeps package scripts from starting daemons (ddclient and postgresql ship services).
if [ ! -e /usr/sbin/policy-rc.d ]; then
  printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d
  chmod +x /usr/sbin/policy-rc.d
  trap 'rm -f /usr/sbin/policy-rc.d' EXIT
fi
apt-get update -qq
apt-get install -y -qq --no-install-recommends "${missing[@]}"
