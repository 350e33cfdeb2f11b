"""The Swift test peer (tests/peers/swift.sh) really checks SigV4.

Run with Debian's Python: /usr/bin/python3 -m pytest tests/peers
Needs the packages named on the `# needs:` line of swift.sh, plus
python3-botocore python3-requests python3-pytest.
"""
import os
import random
import shutil
import socket
import subprocess
import tempfile
import time
from urllib.parse import urlsplit

import pytest

HERE = os.path.dirname(os.path.abspath(__file__))
SCRIPT = os.path.join(HERE, 'swift.sh')
BUCKET = 'kblog-test'
REGION = 'us-east-1'
ACCESS_KEY = 'test:tester'
SECRET_KEY = 'testing'
TIMING = {}

if not os.path.isdir('/usr/lib/python3/dist-packages/swift'):
    if os.environ.get('CI') == 'true':
        raise RuntimeError('python3-swift is not installed (see swift.sh)')
    pytest.skip('OpenStack Swift is not installed', allow_module_level=True)

botocore = pytest.importorskip('botocore')
requests = pytest.importorskip('requests')
import botocore.session  # noqa: E402
from botocore.config import Config  # noqa: E402
from botocore.exceptions import ClientError  # noqa: E402


def ports_free(first, count=5):
    for port in range(first, first + count):
        s = socket.socket()
        try:
            s.bind(('127.0.0.1', port))
        except OSError:
            return False
        finally:
            s.close()
    return True


def free_base_port():
    rng = random.Random()
    for _ in range(200):
        port = rng.randrange(20000, 60000)
        if ports_free(port):
            return port
    raise RuntimeError('no 5 consecutive free ports found')


def run_script(*args, timeout=60):
    return subprocess.run(['bash', SCRIPT] + list(args), capture_output=True,
                          text=True, timeout=timeout, stdin=subprocess.DEVNULL)


def processes_from(directory):
    """Pids of live processes that belong to this peer directory."""
    found = []
    marker = ('KBLOG_SWIFT_PEER=' + directory).encode()
    for entry in os.listdir('/proc'):
        if not entry.isdigit() or int(entry) == os.getpid():
            continue
        try:
            with open('/proc/%s/environ' % entry, 'rb') as f:
                env = f.read().split(b'\0')
            with open('/proc/%s/cmdline' % entry, 'rb') as f:
                cmd = f.read()
        except OSError:
            continue
        if marker in env or directory.encode() in cmd:
            found.append((int(entry), cmd.replace(b'\0', b' ').decode()))
    return found


def port_open(port):
    try:
        socket.create_connection(('127.0.0.1', port), 0.5).close()
        return True
    except OSError:
        return False


class Peer:
    def __init__(self):
        self.dir = os.path.realpath(tempfile.mkdtemp(prefix='kblog-swift-'))
        self.port = None
        self.running = False

    @property
    def endpoint(self):
        return 'http://127.0.0.1:%d' % self.port

    def start(self):
        if self.port is None:
            self.port = free_base_port()
        t0 = time.monotonic()
        r = run_script('start', self.dir, str(self.port))
        elapsed = time.monotonic() - t0
        assert r.returncode == 0, 'start failed:\n' + r.stdout + r.stderr
        assert r.stdout == '' and r.stderr == '', 'start is not quiet'
        self.running = True
        return elapsed

    def stop(self):
        r = run_script('stop', self.dir)
        self.running = False
        assert r.returncode == 0, 'stop failed:\n' + r.stdout + r.stderr

    def client(self, region=REGION, addressing_style='path', endpoint=None):
        session = botocore.session.get_session()
        return session.create_client(
            's3', region_name=region, endpoint_url=endpoint or self.endpoint,
            aws_access_key_id=ACCESS_KEY, aws_secret_access_key=SECRET_KEY,
            config=Config(signature_version='s3v4',
                          s3={'addressing_style': addressing_style},
                          retries={'max_attempts': 1}))


@pytest.fixture(scope='module')
def peer():
    p = Peer()
    TIMING['first_start'] = p.start()
    print('\nswift start took %.2f s (port %d)' % (TIMING['first_start'],
                                                  p.port))
    yield p
    if p.running:
        p.stop()
    left = processes_from(p.dir)
    shutil.rmtree(p.dir, ignore_errors=True)
    assert not left, 'left running: %r' % left


@pytest.fixture
def s3(peer):
    return peer.client()


JPEG = b'\xff\xd8\xff\xe0\x00\x10JFIF\x00' + bytes(range(256)) * 4


def presigned_put(s3, key, body, ctype, expires=300):
    return s3.generate_presigned_url(
        'put_object', ExpiresIn=expires,
        Params={'Bucket': BUCKET, 'Key': key, 'ContentType': ctype,
                'ContentLength': len(body)})


def put(url, body, ctype, **headers):
    h = {'Content-Type': ctype}
    h.update(headers)
    return requests.put(url, data=body, headers=h, timeout=30)


def error_code(resp):
    text = resp.text
    if '<Code>' not in text:
        return None
    return text.split('<Code>', 1)[1].split('</Code>', 1)[0]


def status_of(fn, **kwargs):
    try:
        return fn(**kwargs)['ResponseMetadata']['HTTPStatusCode']
    except ClientError as e:
        return e.response['ResponseMetadata']['HTTPStatusCode']


def test_start_time_and_buckets(peer, s3):
    assert TIMING['first_start'] < 30
    # swift.sh start made the default bucket; S3 CreateBucket works too.
    assert status_of(s3.head_bucket, Bucket=BUCKET) == 200
    s3.create_bucket(Bucket='kblog-made-by-s3')
    assert status_of(s3.head_bucket, Bucket='kblog-made-by-s3') == 200
    assert status_of(s3.head_bucket, Bucket='kblog-missing') == 404
    env = run_script('env', peer.dir).stdout
    assert 'export S3_ENDPOINT=%s\n' % peer.endpoint in env
    assert 'export S3_BUCKET=%s\n' % BUCKET in env


def test_presigned_put_then_head_range_delete(s3):
    key = 'u/1/photo one.jpg'
    url = presigned_put(s3, key, JPEG, 'image/jpeg')
    q = urlsplit(url).query
    assert 'X-Amz-SignedHeaders=content-length%3Bcontent-type%3Bhost' in q
    r = put(url, JPEG, 'image/jpeg')
    assert r.status_code == 200, r.text

    head = s3.head_object(Bucket=BUCKET, Key=key)
    assert head['ContentLength'] == len(JPEG)
    assert head['ContentType'] == 'image/jpeg'

    got = s3.get_object(Bucket=BUCKET, Key=key, Range='bytes=0-3')
    assert got['ResponseMetadata']['HTTPStatusCode'] == 206
    assert got['Body'].read() == JPEG[:4]
    assert got['ContentRange'] == 'bytes 0-3/%d' % len(JPEG)

    s3.delete_object(Bucket=BUCKET, Key=key)
    assert status_of(s3.head_object, Bucket=BUCKET, Key=key) == 404


def test_tampered_presigned_puts_are_refused(s3):
    key = 'u/2/a.jpg'
    url = presigned_put(s3, key, JPEG, 'image/jpeg')
    sig = url.rsplit('X-Amz-Signature=', 1)[1]
    flipped = ('0' if sig[0] != '0' else '1') + sig[1:]
    cases = {
        'signature': (url.replace(sig, flipped), JPEG, 'image/jpeg'),
        'content-type': (url, JPEG, 'image/png'),
        'length': (url, JPEG + b'x', 'image/jpeg'),
        'shorter': (url, JPEG[:-1], 'image/jpeg'),
        'key': (url.replace('/u/2/a.jpg', '/u/2/b.jpg'), JPEG, 'image/jpeg'),
        'expires': (url.replace('X-Amz-Expires=300', 'X-Amz-Expires=301'),
                    JPEG, 'image/jpeg'),
    }
    for name, (u, body, ctype) in cases.items():
        r = put(u, body, ctype)
        assert r.status_code == 403, (name, r.status_code, r.text)
        assert error_code(r) == 'SignatureDoesNotMatch', (name, r.text)
    for k in ('u/2/a.jpg', 'u/2/b.jpg'):
        assert status_of(s3.head_object, Bucket=BUCKET, Key=k) == 404
    # The untouched URL still works, once.
    assert put(url, JPEG, 'image/jpeg').status_code == 200


def test_expired_url_is_refused(s3):
    url = presigned_put(s3, 'u/3/late.jpg', JPEG, 'image/jpeg', expires=1)
    time.sleep(2.1)
    r = put(url, JPEG, 'image/jpeg')
    assert r.status_code == 403, r.text
    assert error_code(r) == 'AccessDenied' and 'expired' in r.text
    assert status_of(s3.head_object, Bucket=BUCKET, Key='u/3/late.jpg') == 404


def test_expires_over_a_week_is_refused(s3):
    week = s3.generate_presigned_url(
        'get_object', Params={'Bucket': BUCKET, 'Key': 'x'}, ExpiresIn=604800)
    assert requests.get(week, timeout=30).status_code == 404  # signed fine
    over = s3.generate_presigned_url(
        'get_object', Params={'Bucket': BUCKET, 'Key': 'x'}, ExpiresIn=604801)
    r = requests.get(over, timeout=30)
    assert r.status_code == 400, r.text
    assert error_code(r) == 'AuthorizationQueryParametersError'


def test_wrong_region_is_refused(peer):
    other = peer.client(region='eu-west-1')
    url = other.generate_presigned_url(
        'get_object', Params={'Bucket': BUCKET, 'Key': 'x'})
    r = requests.get(url, timeout=30)
    assert r.status_code == 400, r.text
    assert error_code(r) == 'AuthorizationQueryParametersError'
    assert "region 'eu-west-1' is wrong" in r.text
    with pytest.raises(ClientError) as e:
        other.head_bucket(Bucket=BUCKET)
    assert e.value.response['ResponseMetadata']['HTTPStatusCode'] == 400


def test_session_token_is_not_checked(peer):
    session = botocore.session.get_session()
    c = session.create_client(
        's3', region_name=REGION, endpoint_url=peer.endpoint,
        aws_access_key_id=ACCESS_KEY, aws_secret_access_key=SECRET_KEY,
        aws_session_token='not-a-real-session-token',
        config=Config(signature_version='s3v4',
                      s3={'addressing_style': 'path'}))
    url = c.generate_presigned_url(
        'get_object', Params={'Bucket': BUCKET, 'Key': 'x'})
    assert 'X-Amz-Security-Token=not-a-real-session-token' in url
    assert requests.get(url, timeout=30).status_code == 404  # not 403
    assert status_of(c.head_bucket, Bucket=BUCKET) == 200


def test_head_missing_key_is_404(s3):
    assert status_of(s3.head_object, Bucket=BUCKET, Key='nope/none') == 404


def test_wrong_secret_is_refused(peer):
    session = botocore.session.get_session()
    c = session.create_client(
        's3', region_name=REGION, endpoint_url=peer.endpoint,
        aws_access_key_id=ACCESS_KEY, aws_secret_access_key='wrong',
        config=Config(signature_version='s3v4',
                      s3={'addressing_style': 'path'},
                      retries={'max_attempts': 1}))
    assert status_of(c.head_bucket, Bucket=BUCKET) == 403


def test_virtual_hosted_style(peer):
    # storage_domain is s3.localhost: Host kblog-test.s3.localhost:PORT.
    vc = peer.client(addressing_style='virtual',
                     endpoint='http://s3.localhost:%d' % peer.port)
    body = b'\x89PNG\r\n\x1a\n' + b'v' * 100
    url = vc.generate_presigned_url(
        'put_object', Params={'Bucket': BUCKET, 'Key': 'v/1.png',
                              'ContentType': 'image/png',
                              'ContentLength': len(body)})
    parts = urlsplit(url)
    assert parts.netloc == '%s.s3.localhost:%d' % (BUCKET, peer.port)
    direct = '%s%s?%s' % (peer.endpoint, parts.path, parts.query)
    r = put(direct, body, 'image/png', Host=parts.netloc)
    assert r.status_code == 200, r.text
    r = put(direct, body, 'image/png', Host='other.s3.localhost:%d' % peer.port)
    assert r.status_code == 403, r.text  # the signed host differs
    assert error_code(r) == 'SignatureDoesNotMatch'
    head = peer.client().head_object(Bucket=BUCKET, Key='v/1.png')
    assert head['ContentLength'] == len(body)


def test_cors_preflight_and_put(s3):
    body = b'GIF89a' + b'g' * 50
    url = presigned_put(s3, 'c/1.gif', body, 'image/gif')
    origin = 'http://app.example'
    r = requests.options(url, timeout=30, headers={
        'Origin': origin, 'Access-Control-Request-Method': 'PUT',
        'Access-Control-Request-Headers': 'content-type'})
    assert r.status_code == 200
    assert r.headers.get('Access-Control-Allow-Origin') == origin
    assert 'PUT' in r.headers.get('Access-Control-Allow-Methods', '')
    assert 'content-type' in r.headers.get('Access-Control-Allow-Headers', '')
    r = put(url, body, 'image/gif', Origin=origin)
    assert r.status_code == 200, r.text
    assert r.headers.get('Access-Control-Allow-Origin') == origin
    assert 'etag' in r.headers.get('Access-Control-Expose-Headers', '')


def test_stop_start_keeps_data_and_leaves_nothing(peer, s3):
    key = 'keep/me.jpg'
    assert put(presigned_put(s3, key, JPEG, 'image/jpeg'), JPEG,
               'image/jpeg').status_code == 200
    peer.stop()
    assert processes_from(peer.dir) == []
    for port in range(peer.port, peer.port + 5):
        assert not port_open(port), port
    with pytest.raises(requests.exceptions.ConnectionError):
        requests.get(peer.endpoint + '/healthcheck', timeout=5)

    elapsed = peer.start()
    print('\nswift restart took %.2f s' % elapsed)
    head = peer.client().head_object(Bucket=BUCKET, Key=key)
    assert head['ContentLength'] == len(JPEG)
    # start on a running DIR is refused, stop twice is fine
    r = run_script('start', peer.dir, str(peer.port))
    assert r.returncode != 0 and 'already running' in r.stderr
    peer.stop()
    peer.stop()
    assert processes_from(peer.dir) == []
    for port in range(peer.port, peer.port + 5):
        assert not port_open(port), port
