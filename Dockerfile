# kblog container image.  Build from the checkout's root:
#
#     docker build -t kblog .
#     podman build --format docker -t kblog .   (keeps the HEALTHCHECK)
#
# Stage 1 compiles the module with kodev (prod flavor); stage 2 is the
# runtime: Debian's shared libraries, the kore binary, kblog.so, its
# configuration and the migrations, run by an unprivileged user.  No
# compiler, headers or secrets reach the final image: every setting,
# DATABASE_URL included, comes from the environment at run time.
# deploy/README.md has the details.

############################################################ build stage
FROM debian:bookworm-slim AS build

ARG DEBIAN_FRONTEND=noninteractive
# kore ships kodev; the rest are the headers kblog.so compiles against
# (scripts/deps lists the same packages for a checkout).
RUN apt-get update -q \
 && apt-get install -y -q --no-install-recommends \
	kore make gcc libc6-dev \
	libpq-dev libssl-dev libsodium-dev libjansson-dev \
	libcmark-gfm-dev libcmark-gfm-extensions-dev libcurl4-openssl-dev \
	libunistring-dev zlib1g-dev \
 && apt-get clean && rm -rf /var/lib/apt/lists/*
# Image processing: libvips's headers, found through pkg-config.
RUN apt-get update -q \
 && apt-get install -y -q --no-install-recommends libvips-dev pkg-config \
 && apt-get clean && rm -rf /var/lib/apt/lists/*

# Only what the build reads (.dockerignore keeps the context to these).
WORKDIR /src
COPY Makefile ./
COPY conf/ conf/
COPY assets/ assets/
COPY src/ src/

# The Makefile runs kodev in build/prod/kblog, a folder named after the
# module, so the checkout's own folder name never matters.  The kore
# version is recorded because the runtime stage copies the binary alone.
RUN make build FLAVOR=prod \
 && install -D -m 0644 build/prod/kblog/kblog.so /out/app/kblog.so \
 && dpkg-query -W -f='${Package} ${Version}\n' kore >/out/kore-version

########################################################## runtime stage
FROM debian:bookworm-slim

ARG DEBIAN_FRONTEND=noninteractive
# Runtime libraries only.  Debian's kore package depends on libc6-dev,
# libssl-dev and libpq-dev (kodev compiles modules), about 33 MB that
# never run here, so the binary is copied from the build stage (same
# archive, same version) and its own libraries (libpq5, libssl3) are
# installed instead.  curl serves the HEALTHCHECK: it adds about 0.5 MB
# because libcurl4, which kblog.so links, is here anyway.
#
# libvips42 decodes and re-encodes uploads (JPEG, PNG, GIF, WebP, AVIF).
# Every one of its dependencies is a Depends, not a Recommends (ImageMagick,
# poppler, librsvg, OpenEXR, HDF5... for formats kblog never decodes: it
# calls each loader by name and blocks the others), so --no-install-recommends
# cannot trim them, and removing them by force would leave dpkg broken for
# Debian's security updates.  They add about 146 MB: the image is about
# 242 MB (deploy/README.md).
RUN apt-get update -q \
 && apt-get install -y -q --no-install-recommends \
	libpq5 libssl3 libsodium23 libjansson4 \
	libcmark-gfm0.29.0.gfm.6 libcmark-gfm-extensions0.29.0.gfm.6 \
	libcurl4 ca-certificates curl libvips42 \
	libunistring2 \
 && apt-get clean && rm -rf /var/lib/apt/lists/* \
 && groupadd --system --gid 10001 kblog \
 && useradd --system --uid 10001 --gid kblog --no-create-home \
	--home-dir /nonexistent --shell /usr/sbin/nologin kblog

COPY --from=build /usr/bin/kore /usr/bin/kore
COPY --from=build /usr/share/doc/kore/copyright /usr/share/doc/kore/copyright
COPY --from=build /out/kore-version /usr/share/doc/kore/debian-version

# Everything under /app belongs to root and is read-only for kblog: the
# process cannot change its own code, configuration or migrations.  The
# one place it may write is /var/lib/kblog/uploads, for local file storage
# (UPLOAD_DIR; a volume in deploy/docker-compose.yml, which takes this
# ownership when it is created).
WORKDIR /app
COPY --from=build /out/app/kblog.so ./
COPY kore.conf ./
COPY conf/routes.conf conf/
COPY sql/ sql/
RUN chmod -R a+rX,go-w /app \
 && install -d -o 10001 -g 10001 -m 0750 /var/lib/kblog/uploads

# Defaults for a container; see README.md for every setting.  WORKERS is
# left unset: kblog then starts one worker per CPU.  Kore writes its
# pidfile to /tmp (kore.conf), which must stay writable (a tmpfs when the
# root filesystem is read-only).
ENV BIND=0.0.0.0 \
    PORT=8080 \
    MIGRATIONS_DIR=/app/sql \
    UPLOAD_DIR=/var/lib/kblog/uploads

# Numeric, so that "run as non-root" checks (Kubernetes runAsNonRoot) can
# verify it without reading /etc/passwd.
USER 10001:10001
EXPOSE 8080

# Liveness: /health answers from a worker without touching the database.
HEALTHCHECK --interval=30s --timeout=3s --start-period=60s --retries=3 \
	CMD curl -fsS -o /dev/null "http://127.0.0.1:${PORT}/health" || exit 1

# Kore's parent stops on SIGTERM: it signals the workers and waits for
# them to exit.  It runs as PID 1 here and reaps its own workers.
STOPSIGNAL SIGTERM

# -f foreground (logs on stdout; kblog line-buffers it), -n no chroot,
# -r no privilege drop (already unprivileged).
CMD ["kore", "-fnr", "-c", "kore.conf"]
