/*
 * image_removal.h: removing an image: taken out of use, its objects,
 * then its row; and the storage step that handlers wait on.
 *
 * Shared by the gallery's delete, the API's DELETE and the refusal of an
 * upload that was not the image it claimed to be.  An image that a post
 * shows, or that is its owner's avatar, is not removed: the answer says
 * where it is used (409 image_in_use: the API's envelope lists the uses,
 * the gallery shows them with a button to go on), unless the owner said
 * to take it out of those posts (remove_from_posts): then each post's
 * Markdown loses the image (lib/mdimage.h), is rendered again and saved
 * (only if nobody changed it meanwhile), the avatar is unset, and the
 * image goes.  image_retire() (sql/007) checks the uses under a lock that
 * post saves take too, so no post starts to show an image that is going.
 * The objects go first (variants, served key, upload), then the row: a
 * storage failure keeps the row ('deleting'), so no object is left
 * without one (the sweeper would find it anyway).
 */

#ifndef KBLOG_WEB_IMAGE_REMOVAL_H
#define KBLOG_WEB_IMAGE_REMOVAL_H

#include "core/task.h"
#include "db/db_images.h"
#include "lib/input.h"
#include "storage/storage.h"

#define IMAGE_URLS_MAX	(2 * (IMAGE_VARIANTS_MAX + 1))

struct image_removal {
	int			 step;
	int			 force;		/* take it out of posts */
	struct dbq		 get, retire, uses, next, unlink, del;
	struct task		 task;
	struct storage_io	 io;
	/* Taking it out of posts. */
	int			 passes;	/* over its posts */
	int64_t			 post;		/* the one being changed */
	int			 tries;		/* of that post */
	int			 changed;	/* posts changed */
	struct post_in		 in;		/* its new text, rendered */
	struct sbuf		 md;
	char			*urls[IMAGE_URLS_MAX];
	size_t			 nurls;
};

/*
 * The owner's image id: 404 when there is none, 403 when it is someone
 * else's, 409 when it is used (unless force: then taken out of its posts
 * and its avatar), 503 when storage does not answer.  STEP_OK once it is
 * gone.  The handler's done() calls image_removal_done().
 */
int	image_remove_or_reply(struct http_request *, struct image_removal *,
	    int64_t id, int64_t owner, int force);
/* Objects key and upload_key (either may be NULL) of row id, then it. */
int	image_forget_or_reply(struct http_request *, struct image_removal *,
	    int64_t id, int64_t owner, const char *key,
	    const char *upload_key);
/* Frees what a removal holds (idempotent). */
void	image_removal_done(struct image_removal *);
/*
 * Runs the storage job io (storage/storage.h) and waits for it: STEP_OK
 * when it answered want, else a 503 (storage_unavailable) and
 * STEP_DONE; STEP_WAIT meanwhile.
 */
int	storage_or_reply(struct http_request *, struct task *,
	    struct storage_io *, int want);
/* That 503. */
int	reply_storage_unavailable(struct http_request *);

#endif
