/*
 * image_removal.h: removing an image: its objects, then its row; and
 * the storage step that handlers wait on.
 *
 * Shared by the gallery's delete, the API's DELETE and the refusal of an
 * upload that was not the image it claimed to be.  The objects go first
 * (served copy, then upload): a failure keeps the row, so no object is
 * ever left without one (the sweeper would find it anyway).
 */

#ifndef KBLOG_WEB_IMAGE_REMOVAL_H
#define KBLOG_WEB_IMAGE_REMOVAL_H

#include "core/task.h"
#include "db/db_images.h"
#include "storage/storage.h"

struct image_removal {
	int			 step;
	struct dbq		 get, del;
	struct task		 task;
	struct storage_io	 io;
};

/*
 * The owner's image id: 404 when there is none, 403 when it is someone
 * else's, 503 when storage does not answer.  STEP_OK once it is gone.
 */
int	image_remove_or_reply(struct http_request *, struct image_removal *,
	    int64_t id, int64_t owner);
/* Objects key and upload_key (either may be NULL) of row id, then it. */
int	image_forget_or_reply(struct http_request *, struct image_removal *,
	    int64_t id, int64_t owner, const char *key,
	    const char *upload_key);
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
