# Dockerfile: userapi as a container image -- lighttpd and the FastCGI
# workers, userapi-migrate and userapi-admin, on Debian 12.
#
#     docker build -t userapi .
#     docker run -e DATABASE_URL=... -e JWT_SECRET=... -p 8080:8080 userapi
#
# Two stages: "build" compiles, runs the unit tests (make check) and
# installs into a staging directory; the run stage gets only what was
# installed, less the headers, and the run-time libraries. No compiler,
# no -dev package and no setting ends up in it: the settings come from
# the environment when the container starts (docker/entrypoint).
# docker-compose.yml puts it beside PostgreSQL; README, "Containers".

# --- build ----------------------------------------------------------------
FROM debian:bookworm-slim AS build

# No service may start while packages install (there is no init here).
RUN printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d && \
    chmod 0755 /usr/sbin/policy-rc.d && \
    apt-get update && \
    DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
        build-essential autoconf automake libtool pkg-config \
        libfcgi-dev libpq-dev libjson-c-dev libssl-dev libcrypt-dev \
        check libcurl4-openssl-dev && \
    rm -rf /var/lib/apt/lists/*

COPY . /src
WORKDIR /build
# The normal build, out of tree, as README "Installing for real" does it;
# "make check" is the unit tests (no database needed).
RUN cd /src && autoreconf -fi && \
    cd /build && /src/configure --prefix=/usr/local && \
    make -j"$(nproc)" && \
    make check && \
    make install-strip DESTDIR=/stage && \
    rm -rf /stage/usr/local/include && \
    find /stage -name '*.la' -delete

# --- run ------------------------------------------------------------------
FROM debian:bookworm-slim

RUN printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d && \
    chmod 0755 /usr/sbin/policy-rc.d && \
    apt-get update && \
    DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends \
        libfcgi0ldbl libpq5 libjson-c5 libssl3 libcrypt1 lighttpd && \
    apt-get clean && \
    rm -rf /var/lib/apt/lists/* /var/cache/apt/*.bin /usr/sbin/policy-rc.d && \
    useradd --system --uid 10001 --user-group --home-dir /nonexistent \
        --no-create-home --shell /usr/sbin/nologin userapi && \
    install -d -o userapi -g userapi -m 0750 /run/userapi /var/log/userapi

COPY --from=build /stage/ /
COPY docker/entrypoint /usr/local/bin/userapi-container
COPY docker/healthcheck /usr/local/bin/userapi-healthcheck
RUN ldconfig

# lighttpd.conf's EDIT HERE block, from the environment. USERAPI_BIND and
# USERAPI_PORT may be changed at run time; the paths belong to the image.
ENV USERAPI_BIND=0.0.0.0 \
    USERAPI_PORT=8080 \
    USERAPI_CGI_BIN=/usr/local/lib/cgi-bin \
    USERAPI_ENV_FILE=/run/userapi/userapi.env \
    USERAPI_RUN_DIR=/run/userapi \
    USERAPI_LOG_DIR=/var/log/userapi \
    USERAPI_DOCS_ASSETS= \
    USERAPI_ERRORS=/usr/local/share/userapi/errors

USER userapi
WORKDIR /run/userapi
EXPOSE 8080
# Liveness: GET /health, which touches no database.
HEALTHCHECK --interval=10s --timeout=3s --start-period=10s --retries=3 \
    CMD ["/usr/local/bin/userapi-healthcheck"]
# lighttpd stops its workers and exits on SIGTERM (docker stop).
STOPSIGNAL SIGTERM
ENTRYPOINT ["/usr/local/bin/userapi-container"]
CMD ["serve"]
