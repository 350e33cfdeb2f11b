/*
 * creds.h: where kblog's AWS credentials come from, in the AWS SDKs'
 * order: the environment, the container (ECS/EKS) endpoint, the EC2
 * instance role through IMDSv2.
 *
 * Plain C on libcurl, jansson and pthreads; no Kore headers.  creds_fetch
 * blocks (the metadata endpoints get 1 s to connect, 3 s in all, so a
 * machine that is not on EC2 fails fast): call it from a Kore task thread
 * and cache the result until creds_needs_refresh() says otherwise.
 *
 * Thread safety: creds_fetch may run in several threads at once.  Its only
 * shared state is the IMDSv2 session token, kept (under a mutex) for its
 * TTL between calls, per endpoint.  It reads the environment with getenv()
 * at every call: nobody may setenv() meanwhile.  The caller must have
 * called curl_global_init(CURL_GLOBAL_DEFAULT) once before any thread
 * uses this (see s3.h).
 *
 * Secrets: never logged, never written to err; buffers that held them are
 * wiped.  Wipe a struct aws_creds with creds_clear() when done with it.
 */

#ifndef KBLOG_CREDS_H
#define KBLOG_CREDS_H

#include <stddef.h>
#include <time.h>

#include "s3.h"		/* struct aws_creds */

#define CREDS_IMDS_ENDPOINT	"http://169.254.169.254"
#define CREDS_ECS_ENDPOINT	"http://169.254.170.2"
#define CREDS_IMDS_TOKEN_TTL	21600	/* seconds, asked for */
#define CREDS_REFRESH_EARLY	(15 * 60)	/* as the AWS SDKs do */
#define CREDS_CONNECT_TIMEOUT_MS	1000
#define CREDS_TIMEOUT_MS		3000

struct creds_config {
	/* "http://host[:port]" without a path; NULL: the defaults above. */
	const char	*imds_endpoint;
	const char	*ecs_endpoint;
	int		 imds_disabled;	/* skip the instance role */
};

/*
 * Defaults, overridden by the environment: AWS_EC2_METADATA_SERVICE_ENDPOINT
 * (the AWS SDKs' name) for IMDS, KBLOG_ECS_ENDPOINT for the container
 * endpoint used with AWS_CONTAINER_CREDENTIALS_RELATIVE_URI, and
 * AWS_EC2_METADATA_DISABLED=true to skip IMDS.  The strings point into the
 * environment (or are constants): keep the environment unchanged.
 */
void	creds_config_from_env(struct creds_config *);

/*
 * Fetch credentials, trying in order:
 *  1. AWS_ACCESS_KEY_ID + AWS_SECRET_ACCESS_KEY (+ AWS_SESSION_TOKEN):
 *     static, expires = 0.  Only one of the first two set is an error.
 *  2. The container endpoint, when AWS_CONTAINER_CREDENTIALS_RELATIVE_URI
 *     (appended to ecs_endpoint) or AWS_CONTAINER_CREDENTIALS_FULL_URI
 *     (http only to a loopback or the ECS/EKS link-local addresses, else
 *     https) is set; with an Authorization header from
 *     AWS_CONTAINER_AUTHORIZATION_TOKEN_FILE or
 *     AWS_CONTAINER_AUTHORIZATION_TOKEN when set.  When configured but
 *     failing, the chain stops there (no silent fall-back to IMDS).
 *  3. IMDSv2: PUT /latest/api/token (TTL 21600 s, cached), GET
 *     /latest/meta-data/iam/security-credentials/ for the role, GET
 *     .../<role> for the JSON; a 401 on a GET means the cached token went
 *     stale: one new token, one retry.  IMDSv1 is never used.
 * out is zeroed first.  Returns 0 and fills out (err then holds the
 * source: "env", "ecs" or "imds"), or -1 with a short reason in err that
 * never contains a secret.  err may be NULL.
 */
int	creds_fetch(const struct creds_config *, struct aws_creds *, char *,
	    size_t);

/* True when expires != 0 and now >= expires - CREDS_REFRESH_EARLY. */
int	creds_needs_refresh(const struct aws_creds *, time_t);

/*
 * Parse an ISO 8601 UTC time as the credential endpoints send it:
 * "YYYY-MM-DDTHH:MM:SS" with optional fraction, then "Z" or "+hh:mm" /
 * "-hh:mm".  0 and *t set, or -1.
 */
int	creds_parse_time(const char *, time_t *);

/* Wipe credentials (explicit_bzero). */
void	creds_clear(struct aws_creds *);

#endif /* !KBLOG_CREDS_H */
