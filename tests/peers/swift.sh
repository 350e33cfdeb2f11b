#!/usr/bin/env bash
# needs: swift swift-proxy swift-object swift-container swift-account python3-swift memcached
#
# A throw-away single-node OpenStack Swift with the s3api middleware, for the
# integration tests: a real S3-compatible store that checks AWS SigV4.
#
#   tests/peers/swift.sh start DIR PORT   set up DIR (once) and start; quiet
#   tests/peers/swift.sh stop DIR         stop everything started from DIR
#   tests/peers/swift.sh env DIR          print the S3_* variables to export
#   tests/peers/swift.sh status DIR       exit 0 if every process is running
#
# Ports: PORT proxy (the S3 endpoint), PORT+1 account, PORT+2 container,
# PORT+3 object server, PORT+4 memcached; all bound to 127.0.0.1.
# Everything lives under DIR: etc/ (swift.conf, *-server.conf, rings),
# srv/d1 (the one storage device, a plain directory), run/ (pid files and
# the launcher), log/ (one log per process). Nothing is written to
# /etc/swift or syslog. `stop` then `start` keeps the data (the hash prefix
# in DIR/etc/swift.conf is made once). The servers run with workers = 0
# (one process each, in its own process group).
#
# Credentials (tempauth): account `test`, user `tester`, key `testing`:
# S3 access key id `test:tester`, secret `testing`; the user is .admin of
# the account, so it may create buckets. `start` creates the buckets named
# in $SWIFT_S3_BUCKETS (space separated; default `kblog-test`; empty: none)
# through the Swift API, so tests need no signer to set up.
# Region (s3api `location`): us-east-1, or $SWIFT_S3_REGION at start.
# Endpoint: http://127.0.0.1:PORT, path style (/bucket/key). Virtual-hosted
# style works too (checked): s3api `storage_domain` is `s3.localhost` (or
# $SWIFT_S3_STORAGE_DOMAIN), so Host `bucket.s3.localhost:PORT` with URI
# `/key` reaches the bucket; path style keeps working beside it. glibc does
# not resolve *.localhost; curl (7.88) maps it to 127.0.0.1 by itself, other
# clients need the address given (--resolve, or connect to 127.0.0.1 and
# send the Host header).
# Other knobs, read at every start: $SWIFT_S3_CORS_ORIGINS (see CORS),
# $SWIFT_START_TIMEOUT (seconds to wait for readiness, default 30).
#
# CORS: s3api has no bucket CORS: PUT/GET /bucket?cors answer 501
# NotImplemented, so a bucket CORS JSON cannot be tested here. What it has
# instead, and what this script turns on: s3api `cors_preflight_allow_origin`
# answers the OPTIONS preflight of a presigned URL (query has
# X-Amz-Credential) with 200, Access-Control-Allow-Origin: <the origin>,
# Allow-Methods GET, HEAD, PUT, POST, DELETE, OPTIONS and the requested
# Allow-Headers; the proxy's `cors_allow_origin` adds
# Access-Control-Allow-Origin and Expose-Headers (etag, ...) to the real
# PUT/GET answers that carry an Origin. Both take $SWIFT_S3_CORS_ORIGINS
# (comma separated origins, or `*` alone; default `*`). Enough for a
# browser PUT to a presigned URL.
#
# What Swift 2.30.1 s3api (Debian 12) does, checked against this setup with
# botocore (tests/peers/test_swift_peer.py asserts most of it):
# - Presigned PUT signing content-length;content-type;host is accepted
#   with exactly those values (keys with spaces too, %20). 403
#   SignatureDoesNotMatch for: a tampered X-Amz-Signature, another
#   Content-Type (or none), another key in the path, an edited
#   X-Amz-Expires, another Host (virtual-hosted), an unknown access key or a
#   wrong secret (no InvalidAccessKeyId: it is SignatureDoesNotMatch).
# - Signed content-length mismatch: a body of another size, sent with its
#   true Content-Length, is 403 SignatureDoesNotMatch (longer or shorter).
#   Sending the signed Content-Length with fewer bytes is an HTTP matter:
#   after client_timeout (set to 10 s here; Swift's default is 60) the
#   answer is 400 and nothing is stored.
# - Expired presigned URL (X-Amz-Date + X-Amz-Expires in the past, e.g.
#   Expires=1 and 2 s later, or signed an hour ago with 60): 403
#   AccessDenied "Request has expired".
# - X-Amz-Expires > 604800: 400 AuthorizationQueryParametersError "must be
#   less than a week"; exactly 604800 is accepted; negative or not a
#   number: 400 as well; 0 is 403 "Request has expired" (once the second
#   of X-Amz-Date has passed).
# - A presigned URL whose X-Amz-Date lies in the future (a day ahead) is
#   ACCEPTED (AWS would refuse it). Header-signed requests: X-Amz-Date more
#   than 15 min off the server clock is 403 RequestTimeTooSkewed (10 min
#   passes; allowable_clock_skew = 900).
# - Wrong region in the credential scope: 400, not 403. Presigned: 400
#   AuthorizationQueryParametersError; header auth: 400
#   AuthorizationHeaderMalformed; message "the region 'eu-west-1' is wrong;
#   expecting 'us-east-1'". The match is exact (US-EAST-1 is refused).
#   Wrong service (not `s3`) in the scope: 400 as well. A scope date that
#   is not X-Amz-Date's day: 400 AuthorizationQueryParametersError.
# - x-amz-security-token / X-Amz-Security-Token: NOT validated (confirmed):
#   any value, in the header or in the presigned query, is accepted as long
#   as it is signed; tempauth has no session tokens.
# - x-amz-content-sha256 on header-signed requests is NOT checked against
#   the body: a wrong hash (even a non-hex string) on a PUT of 3 bytes or
#   100 kB, or on an empty HEAD/GET/DELETE, is accepted and the PUT is
#   stored. It only takes part in the signature. UNSIGNED-PAYLOAD works.
#   So this peer cannot catch a wrong payload hash, only a wrong signature.
# - HEAD on a missing key: 404 (the user is the account's admin; s3_acl is
#   off, so there is no 403-for-no-ListBucket case). GET on a missing key:
#   404 NoSuchKey. HEAD on a missing bucket: 404. DELETE of a missing key:
#   204, like S3.
# - Ranged GET (Range: bytes=0-3): 206, Content-Range: bytes 0-3/<size>.
# - Bucket names must be DNS-compliant (3..63 chars): `b1` is 400
#   InvalidBucketName.
set -u

SELF=$(basename "$0")
PY=/usr/bin/python3
die() { echo "$SELF: $*" >&2; exit 1; }

PROCS="memcached account-server container-server object-server proxy-server"

usage() {
	echo "usage: $SELF start DIR PORT | stop DIR | env DIR | status DIR" >&2
	exit 2
}

absdir() {
	mkdir -p "$1" || die "cannot create $1"
	(cd "$1" && pwd -P)
}

# Processes started from DIR carry KBLOG_SWIFT_PEER=DIR in their
# environment (it survives exec); that is how they are recognised.
marked() {
	local pid=$1 dir=$2
	{ tr '\0' '\n' <"/proc/$pid/environ"; } 2>/dev/null | grep -qxF "KBLOG_SWIFT_PEER=$dir"
}

# pid of process NAME from DIR, printed if it is alive and really ours.
live_pid() {
	local dir=$1 name=$2 pid
	[ -f "$dir/run/$name.pid" ] || return 1
	pid=$(cat "$dir/run/$name.pid" 2>/dev/null) || return 1
	case $pid in '' | *[!0-9]*) return 1 ;; esac
	marked "$pid" "$dir" || return 1
	echo "$pid"
}

# Every live process started from DIR, pid files or not.
all_from() {
	local dir=$1 p pid
	for p in /proc/[0-9]*; do
		pid=${p#/proc/}
		[ "$pid" = "$$" ] && continue
		marked "$pid" "$dir" && echo "$pid"
	done
	return 0
}

# The launcher: one small Python program for everything that needs Swift's
# modules (rings, the servers themselves, the readiness wait). It is written
# at every start so that DIR always has the current one.
write_launcher() {
	cat >"$1/run/launch.py" <<'PYEOF'
"""kblog test peer: run Swift pieces with every file under one directory."""
import logging
import logging.handlers
import os
import socket
import sys
import time
import urllib.request


def use_swift_dir(etc):
    # Swift reads swift.conf (hash prefix, storage policies) from
    # /etc/swift unless told otherwise: point it at DIR/etc before the
    # servers load anything.
    from swift.common import utils
    utils.SWIFT_CONF_FILE = os.path.join(etc, 'swift.conf')
    utils.HASH_PATH_PREFIX = b''
    utils.HASH_PATH_SUFFIX = b''
    utils.validate_configuration()
    from swift.common import storage_policy
    storage_policy.reload_storage_policies()
    return utils


def log_to_file(utils, path):
    # Swift logs to syslog (or UDP 514); send its records to a file instead.
    class FileLog(logging.handlers.WatchedFileHandler):
        def __init__(self, *args, **kwargs):
            logging.handlers.WatchedFileHandler.__init__(self, path)

        def createLock(self):
            self.lock = utils.PipeMutex()

        def format(self, record):
            return '%s %s' % (time.strftime('%Y-%m-%dT%H:%M:%S'),
                              logging.handlers.WatchedFileHandler.format(
                                  self, record))
    utils.ThreadSafeSysLogHandler = FileLog


def cmd_server(etc, name, conf, logfile):
    os.setsid()
    utils = use_swift_dir(etc)
    log_to_file(utils, logfile)
    from swift.common.wsgi import run_wsgi
    kwargs = {}
    if name == 'object-server':
        from swift.obj import server
        kwargs['global_conf_callback'] = server.global_conf_callback
    sys.exit(run_wsgi(conf, name, **kwargs))


def cmd_exec(*argv):
    os.setsid()
    os.execvp(argv[0], list(argv))


def cmd_rings(etc, ip, *ports):
    from swift.common.ring import RingBuilder
    for kind, port in zip(('account', 'container', 'object'), ports):
        builder = RingBuilder(6, 1, 1)
        builder.add_dev({'region': 1, 'zone': 1, 'ip': ip,
                         'port': int(port), 'device': 'd1', 'weight': 1})
        builder.rebalance()
        path = os.path.join(etc, kind)
        builder.get_ring().save(path + '.ring.gz.tmp')
        os.rename(path + '.ring.gz.tmp', path + '.ring.gz')
        builder.save(path + '.builder')


def cmd_ports_free(ip, *ports):
    busy = []
    for port in ports:
        s = socket.socket()
        s.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            s.bind((ip, int(port)))
        except OSError:
            busy.append(port)
        finally:
            s.close()
    if busy:
        sys.exit('swift.sh: port(s) already in use on %s: %s' % (ip, ' '.join(busy)))


def cmd_xattr(path):
    probe = os.path.join(path, '.xattr-probe')
    with open(probe, 'w'):
        pass
    try:
        os.setxattr(probe, 'user.swift.probe', b'1')
    except OSError as e:
        sys.exit('swift.sh: %s: no user xattrs (%s); Swift needs them' % (path, e))
    finally:
        os.unlink(probe)


def cmd_wait(timeout, pidfiles, *urls):
    # Wait until every URL answers 200 and the memcached port accepts,
    # failing early when one of the processes has died.
    deadline = time.time() + float(timeout)
    pending = list(urls)
    while True:
        for pf in pidfiles.split(','):
            try:
                pid = int(open(pf).read())
                os.kill(pid, 0)
            except (OSError, ValueError):
                sys.exit('process of %s died' % os.path.basename(pf))
        still = []
        for url in pending:
            try:
                if url.startswith('tcp:'):
                    host, port = url[4:].rsplit(':', 1)
                    socket.create_connection((host, int(port)), 1).close()
                else:
                    with urllib.request.urlopen(url, timeout=2) as r:
                        if r.status != 200:
                            still.append(url)
            except Exception:
                still.append(url)
        pending = still
        if not pending:
            return
        if time.time() > deadline:
            sys.exit('not ready after %ss: %s' % (timeout, ' '.join(pending)))
        time.sleep(0.1)


def cmd_buckets(endpoint, *names):
    # Buckets are Swift containers: make them through the Swift API
    # (tempauth token), no S3 signer needed. PUT is idempotent.
    req = urllib.request.Request(endpoint + '/auth/v1.0', headers={
        'X-Auth-User': 'test:tester', 'X-Auth-Key': 'testing'})
    with urllib.request.urlopen(req, timeout=10) as r:
        token = r.headers['X-Auth-Token']
        storage = r.headers['X-Storage-Url']
    for name in names:
        req = urllib.request.Request('%s/%s' % (storage, name), method='PUT',
                                     headers={'X-Auth-Token': token})
        with urllib.request.urlopen(req, timeout=10) as r:
            if r.status not in (201, 202):
                sys.exit('bucket %s: HTTP %s' % (name, r.status))


if __name__ == '__main__':
    cmd = sys.argv[1]
    globals()['cmd_' + cmd.replace('-', '_')](*sys.argv[2:])
PYEOF
}

write_confs() {
	local dir=$1 port=$2 region=$3 domain=$4 origins=$5
	local etc=$dir/etc user first_bucket=${SWIFT_S3_BUCKETS-kblog-test}
	first_bucket=${first_bucket%% *}
	user=$(id -un)
	local pa=$((port + 1)) pc=$((port + 2)) po=$((port + 3)) pm=$((port + 4))

	if [ ! -s "$etc/swift.conf" ]; then
		local prefix suffix
		prefix=$(od -An -N8 -tx1 /dev/urandom | tr -d ' \n')
		suffix=$(od -An -N8 -tx1 /dev/urandom | tr -d ' \n')
		cat >"$etc/swift.conf.tmp" <<-EOF
		[swift-hash]
		swift_hash_path_prefix = $prefix
		swift_hash_path_suffix = $suffix

		[storage-policy:0]
		name = Policy-0
		default = yes
		EOF
		mv "$etc/swift.conf.tmp" "$etc/swift.conf"
	fi

	# Settings every server shares.
	local common="swift_dir = $etc
devices = $dir/srv
mount_check = false
disable_fallocate = true
user = $user
bind_ip = 127.0.0.1
workers = 0
log_level = INFO
recon_cache_path = $dir/run
eventlet_debug = false"

	local kind p
	for kind in account container object; do
		case $kind in
		account) p=$pa ;;
		container) p=$pc ;;
		object) p=$po ;;
		esac
		cat >"$etc/$kind-server.conf" <<-EOF
		[DEFAULT]
		$(echo "$common")
		bind_port = $p
		log_name = $kind-server

		[pipeline:main]
		pipeline = healthcheck $kind-server

		[filter:healthcheck]
		use = egg:swift#healthcheck

		[app:$kind-server]
		use = egg:swift#$kind
		EOF
	done

	cat >"$etc/proxy-server.conf" <<-EOF
	[DEFAULT]
	$(echo "$common")
	bind_port = $port
	log_name = proxy-server

	[pipeline:main]
	pipeline = catch_errors gatekeeper healthcheck proxy-logging cache listing_formats s3api tempauth copy slo dlo versioned_writes proxy-logging proxy-server

	[filter:versioned_writes]
	use = egg:swift#versioned_writes

	[app:proxy-server]
	use = egg:swift#proxy
	account_autocreate = true
	allow_account_management = false
	cors_allow_origin = $origins
	cors_expose_headers = etag, x-amz-request-id, x-amz-id-2
	strict_cors_mode = false
	client_timeout = 10

	[filter:s3api]
	use = egg:swift#s3api
	location = $region
	storage_domain = $domain
	cors_preflight_allow_origin = $origins
	s3_acl = false
	allowable_clock_skew = 900

	[filter:tempauth]
	use = egg:swift#tempauth
	user_test_tester = testing .admin

	[filter:cache]
	use = egg:swift#memcache
	memcache_servers = 127.0.0.1:$pm

	[filter:catch_errors]
	use = egg:swift#catch_errors

	[filter:gatekeeper]
	use = egg:swift#gatekeeper

	[filter:healthcheck]
	use = egg:swift#healthcheck

	[filter:proxy-logging]
	use = egg:swift#proxy_logging

	[filter:listing_formats]
	use = egg:swift#listing_formats

	[filter:copy]
	use = egg:swift#copy

	[filter:slo]
	use = egg:swift#slo

	[filter:dlo]
	use = egg:swift#dlo
	EOF

	cat >"$dir/run/state" <<-EOF
	PORT=$port
	REGION=$region
	DOMAIN=$domain
	BUCKET=$first_bucket
	EOF
}

# Kill the process group of every pid file in DIR, bounded, then check.
do_stop() {
	local dir=$1 name pid pids="" i
	for name in $PROCS; do
		if pid=$(live_pid "$dir" "$name"); then
			kill -TERM -- "-$pid" 2>/dev/null || kill -TERM "$pid" 2>/dev/null
			pids="$pids $pid"
		fi
	done
	for i in $(seq 1 100); do
		local alive=""
		for pid in $pids; do
			kill -0 -- "-$pid" 2>/dev/null && alive="$alive $pid"
		done
		pids=$alive
		[ -z "$pids" ] && break
		sleep 0.1
	done
	for pid in $pids; do
		kill -KILL -- "-$pid" 2>/dev/null
	done
	[ -n "$pids" ] && sleep 0.3
	for name in $PROCS; do
		rm -f "$dir/run/$name.pid"
	done
	# Anything else still running from DIR (e.g. a server whose pid file was
	# lost) is a failure: report it.
	local left
	left=$(all_from "$dir" | tr '\n' ' ')
	if [ -n "$left" ]; then
		for pid in $left; do kill -KILL "$pid" 2>/dev/null; done
		sleep 0.3
		left=$(all_from "$dir" | tr '\n' ' ')
		[ -n "$left" ] && die "processes from $dir still running: $left"
	fi
	return 0
}

log_tails() {
	local dir=$1 f
	for f in "$dir"/log/*; do
		[ -s "$f" ] || continue
		echo "--- $f (tail)" >&2
		tail -n 25 "$f" >&2
	done
}

do_start() {
	local dir=$1 port=$2
	case $port in '' | *[!0-9]*) die "bad port: $port" ;; esac
	[ "$port" -ge 1024 ] && [ "$port" -le 65531 ] || die "port must be 1024..65531"
	[ -x "$PY" ] || die "$PY missing"
	$PY -c 'import swift, eventlet' 2>/dev/null || die "python3-swift is not installed"
	command -v memcached >/dev/null || [ -x /usr/bin/memcached ] || die "memcached is not installed"

	local name
	for name in $PROCS; do
		if live_pid "$dir" "$name" >/dev/null; then
			die "$name from $dir is already running (stop it first)"
		fi
		rm -f "$dir/run/$name.pid"
	done

	mkdir -p "$dir/etc" "$dir/srv/d1" "$dir/run" "$dir/log" || die "cannot create dirs in $dir"
	write_launcher "$dir"
	local L=("$PY" "$dir/run/launch.py")

	"${L[@]}" xattr "$dir/srv/d1" || exit 1
	"${L[@]}" ports-free 127.0.0.1 "$port" $((port + 1)) $((port + 2)) $((port + 3)) $((port + 4)) || exit 1

	local region=${SWIFT_S3_REGION:-us-east-1}
	local domain=${SWIFT_S3_STORAGE_DOMAIN:-s3.localhost}
	local origins=${SWIFT_S3_CORS_ORIGINS:-*}
	write_confs "$dir" "$port" "$region" "$domain" "$origins"

	# Rings: made once, and again if the ports changed.
	local ringports="$((port + 1)) $((port + 2)) $((port + 3))"
	if [ ! -s "$dir/etc/object.ring.gz" ] || [ "$(cat "$dir/etc/ring-ports" 2>/dev/null)" != "$ringports" ]; then
		"${L[@]}" rings "$dir/etc" 127.0.0.1 $ringports >>"$dir/log/rings.log" 2>&1 ||
			{ tail -n 20 "$dir/log/rings.log" >&2; die "ring creation failed"; }
		echo "$ringports" >"$dir/etc/ring-ports"
	fi

	local memcached_bin
	memcached_bin=$(command -v memcached || echo /usr/bin/memcached)
	local ts
	ts=$(date -u +%Y-%m-%dT%H:%M:%SZ)
	echo "== start $ts" >>"$dir/log/memcached.log"
	# -U 0: no UDP. Foreground (no -d) so the pid is ours.
	KBLOG_SWIFT_PEER=$dir "${L[@]}" exec "$memcached_bin" -l 127.0.0.1 -p $((port + 4)) -U 0 -m 32 -c 256 -u "$(id -un)" \
		</dev/null >>"$dir/log/memcached.log" 2>&1 &
	echo $! >"$dir/run/memcached.pid"

	for name in account-server container-server object-server proxy-server; do
		echo "== start $ts" >>"$dir/log/$name.stderr"
		KBLOG_SWIFT_PEER=$dir "${L[@]}" server "$dir/etc" "$name" "$dir/etc/$name.conf" "$dir/log/$name.log" \
			</dev/null >>"$dir/log/$name.stderr" 2>&1 &
		echo $! >"$dir/run/$name.pid"
	done

	local pidfiles="" p
	for name in $PROCS; do pidfiles="$pidfiles${pidfiles:+,}$dir/run/$name.pid"; done
	if ! "${L[@]}" wait "${SWIFT_START_TIMEOUT:-30}" "$pidfiles" \
		"tcp:127.0.0.1:$((port + 4))" \
		"http://127.0.0.1:$((port + 1))/healthcheck" \
		"http://127.0.0.1:$((port + 2))/healthcheck" \
		"http://127.0.0.1:$((port + 3))/healthcheck" \
		"http://127.0.0.1:$port/healthcheck" 2>"$dir/log/wait.err"; then
		echo "$SELF: swift did not start: $(cat "$dir/log/wait.err")" >&2
		log_tails "$dir"
		do_stop "$dir" >/dev/null 2>&1
		exit 1
	fi

	local buckets=${SWIFT_S3_BUCKETS-kblog-test}
	if [ -n "$buckets" ]; then
		# shellcheck disable=SC2086
		if ! "${L[@]}" buckets "http://127.0.0.1:$port" $buckets 2>"$dir/log/buckets.err"; then
			echo "$SELF: could not create buckets: $buckets" >&2
			log_tails "$dir"
			do_stop "$dir" >/dev/null 2>&1
			exit 1
		fi
	fi
	return 0
}

do_env() {
	local dir=$1
	[ -f "$dir/run/state" ] || die "$dir was never started"
	# shellcheck disable=SC1090,SC1091
	. "$dir/run/state"
	cat <<-EOF
	export S3_ENDPOINT=http://127.0.0.1:$PORT
	export S3_REGION=$REGION
	export S3_BUCKET=$BUCKET
	export S3_ACCESS_KEY_ID=test:tester
	export S3_SECRET_ACCESS_KEY=testing
	export S3_STORAGE_DOMAIN=$DOMAIN
	export S3_PATH_STYLE=1
	EOF
}

do_status() {
	local dir=$1 name rc=0
	for name in $PROCS; do
		if ! live_pid "$dir" "$name" >/dev/null; then
			echo "$name: not running" >&2
			rc=1
		fi
	done
	return $rc
}

[ $# -ge 2 ] || usage
cmd=$1
case $cmd in
start)
	[ $# -eq 3 ] || usage
	DIR=$(absdir "$2")
	do_start "$DIR" "$3"
	;;
stop)
	[ $# -eq 2 ] || usage
	[ -d "$2" ] || exit 0
	DIR=$(cd "$2" && pwd -P)
	do_stop "$DIR"
	;;
env)
	[ -d "$2" ] || die "no such dir: $2"
	DIR=$(cd "$2" && pwd -P)
	do_env "$DIR"
	;;
status)
	[ -d "$2" ] || die "no such dir: $2"
	DIR=$(cd "$2" && pwd -P)
	do_status "$DIR"
	;;
*) usage ;;
esac
