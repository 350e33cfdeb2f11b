/*
 * kblog: progressive enhancement.  Every page works without this file
 * (plain forms and redirects); with it, likes and comments update in
 * place and image uploads show their progress.  No inline script, no
 * third-party code: the CSP allows only 'self'.
 */
"use strict";

(function () {
	var meta = document.querySelector('meta[name="csrf-token"]');
	var csrf = meta ? meta.getAttribute("content") : "";

	/* POSTs a form's fields, expecting JSON back. */
	function postForm(form) {
		/* getAttribute: a field named "action" shadows form.action. */
		return fetch(form.getAttribute("action"), {
			method: "POST",
			credentials: "same-origin",
			headers: {
				"Accept": "application/json",
				"X-CSRF-Token": csrf,
				"Content-Type":
				    "application/x-www-form-urlencoded"
			},
			body: new URLSearchParams(new FormData(form))
		}).then(function (r) {
			return r.json().then(function (data) {
				if (!r.ok) {
					var msg = data && data.error ?
					    data.error.message : "Error";
					throw new Error(msg);
				}
				return data;
			});
		});
	}

	/* The message goes right after the form (a like form sits in a
	 * row of buttons; the message gets a line of its own). */
	function showError(form, text) {
		var p = form.nextElementSibling;
		if (!p || !p.classList.contains("js-error")) {
			p = document.createElement("p");
			p.className = "error js-error";
			p.setAttribute("role", "alert");
			form.insertAdjacentElement("afterend", p);
		}
		p.textContent = text;
	}

	function clearError(form) {
		var p = form.nextElementSibling;
		if (p && p.classList.contains("js-error"))
			p.remove();
	}

	/* Likes: toggle in place. */
	document.querySelectorAll("form.like-form").forEach(function (form) {
		form.addEventListener("submit", function (ev) {
			ev.preventDefault();
			var button = form.querySelector("button");
			var action = form.querySelector('input[name="action"]');
			button.disabled = true;
			postForm(form).then(function (data) {
				action.value = data.liked ? "unlike" : "like";
				button.setAttribute("aria-pressed",
				    data.liked ? "true" : "false");
				form.querySelector(".like-label").textContent =
				    data.liked ? "Liked" : "Like";
				document.querySelectorAll(".like-count").forEach(
				    function (el) {
					if (el.dataset.post === form.dataset.post)
						el.textContent = data.like_count;
				});
				document.querySelectorAll(".like-word").forEach(
				    function (el) {
					el.textContent = data.like_count === 1 ?
					    "like" : "likes";
				});
				clearError(form);
			}).catch(function (e) {
				showError(form, e.message);
			}).finally(function () {
				button.disabled = false;
			});
		});
	});

	/* Comments: append the server-rendered (escaped) comment. */
	var commentForm = document.querySelector("form.comment-form");
	if (commentForm) {
		commentForm.addEventListener("submit", function (ev) {
			ev.preventDefault();
			var button = commentForm.querySelector("button");
			var text = commentForm.querySelector("textarea");
			button.disabled = true;
			postForm(commentForm).then(function (data) {
				var list = document.querySelector(
				    "ol.comment-list");
				list.insertAdjacentHTML("beforeend", data.html);
				document.querySelectorAll(".comment-count")
				    .forEach(function (el) {
					el.textContent = data.comment_count;
				});
				document.querySelectorAll(".comment-word")
				    .forEach(function (el) {
					el.textContent = data.comment_count === 1 ?
					    "comment" : "comments";
				});
				text.value = "";
				clearError(commentForm);
			}).catch(function (e) {
				showError(commentForm, e.message);
			}).finally(function () {
				button.disabled = false;
			});
		});
	}

	/*
	 * Image uploads: ask kblog for a presigned PUT, send the bytes
	 * straight to storage with XHR (which reports upload progress),
	 * then ask kblog to check and complete it.  The same code serves
	 * S3 and kblog's local store.
	 */
	var TYPES = ["image/jpeg", "image/png", "image/gif", "image/webp",
	    "image/avif"];

	function api(method, path, body) {
		return fetch(path, {
			method: method,
			credentials: "same-origin",
			headers: {
				"Accept": "application/json",
				"Content-Type": "application/json",
				"X-CSRF-Token": csrf
			},
			body: body ? JSON.stringify(body) : undefined
		}).then(function (r) {
			return r.json().then(function (data) {
				if (!r.ok)
					throw new Error(data.error ?
					    data.error.message : "Error");
				return data;
			});
		});
	}

	function put(upload, file, bar) {
		return new Promise(function (resolve, reject) {
			var xhr = new XMLHttpRequest();
			xhr.open("PUT", upload.url);
			Object.keys(upload.headers).forEach(function (h) {
				xhr.setRequestHeader(h, upload.headers[h]);
			});
			xhr.upload.addEventListener("progress", function (e) {
				if (e.lengthComputable)
					bar.value = Math.round(100 * e.loaded /
					    e.total);
			});
			xhr.addEventListener("load", function () {
				if (xhr.status >= 200 && xhr.status < 300) {
					bar.value = 100;
					resolve();
				} else {
					reject(new Error("The storage refused " +
					    "the file (" + xhr.status + ")."));
				}
			});
			xhr.addEventListener("error", function () {
				reject(new Error("The upload failed: check " +
				    "your connection and try again."));
			});
			xhr.send(file);
		});
	}

	function uploadFile(box, file) {
		var bar = box.querySelector("progress");
		var status = box.querySelector(".upload-status");
		var altInput = box.querySelector(".upload-alt");
		var alt = altInput ? altInput.value.trim() : "";
		if (TYPES.indexOf(file.type) < 0) {
			status.textContent = "Only JPEG, PNG, GIF, WebP and " +
			    "AVIF images can be uploaded.";
			return;
		}
		bar.hidden = false;
		bar.value = 0;
		status.classList.remove("warn");
		status.textContent = "Uploading " + file.name + "\u2026";
		var upload;
		api("POST", "/api/v1/uploads", {
			filename: file.name,
			content_type: file.type,
			byte_size: file.size,
			alt: alt
		}).then(function (u) {
			upload = u;
			return put(u, file, bar);
		}).then(function () {
			/* The server decodes it and makes its sizes now. */
			status.textContent = "Processing " + file.name +
			    "\u2026";
			return api("POST", "/api/v1/uploads/" + upload.id +
			    "/complete");
		}).then(function (image) {
			status.textContent = "Uploaded " + file.name + ".";
			if (altInput)
				altInput.value = "";
			box.dispatchEvent(new CustomEvent("uploaded",
			    { detail: image }));
		}).catch(function (e) {
			status.textContent = e.message;
			bar.hidden = true;
		});
	}

	document.querySelectorAll(".upload").forEach(function (box) {
		var input = box.querySelector("input[type=file]");
		box.hidden = false;
		input.addEventListener("change", function () {
			if (input.files.length)
				uploadFile(box, input.files[0]);
			input.value = "";
		});
		box.addEventListener("dragover", function (e) {
			e.preventDefault();
			box.classList.add("dragging");
		});
		box.addEventListener("dragleave", function () {
			box.classList.remove("dragging");
		});
		box.addEventListener("drop", function (e) {
			e.preventDefault();
			box.classList.remove("dragging");
			if (e.dataTransfer.files.length)
				uploadFile(box, e.dataTransfer.files[0]);
		});
		box.addEventListener("uploaded", function (e) {
			var image = e.detail;
			var mode = box.dataset.mode;
			if (mode === "markdown") {
				var ta = document.getElementById(
				    box.dataset.target);
				/* Markdown's alt text: no brackets, one line. */
				var alt = image.alt.replace(/[\[\]\\]/g, "")
				    .replace(/\s+/g, " ");
				var md = "![" + alt + "](" + image.url + ")";
				var at = ta.selectionStart || ta.value.length;
				ta.value = ta.value.slice(0, at) + "\n" + md +
				    "\n" + ta.value.slice(at);
				if (alt === "") {
					var st = box.querySelector(
					    ".upload-status");
					st.classList.add("warn");
					st.textContent = "Inserted without alt " +
					    "text: describe the image between " +
					    "the [ ] for people who cannot see " +
					    "it.";
				}
			} else if (mode === "avatar") {
				var body = new URLSearchParams();
				body.set("image_id", image.id);
				body.set("csrf", csrf);
				fetch("/settings/avatar", {
					method: "POST",
					credentials: "same-origin",
					headers: { "Accept": "application/json",
					    "X-CSRF-Token": csrf },
					body: body
				}).then(function (r) {
					if (!r.ok)
						throw new Error("Could not set " +
						    "the avatar.");
					var img = document.querySelector(
					    "img.avatar");
					if (!img) {
						/* No avatar yet: its <img> now. */
						img = document.createElement("img");
						img.className = "avatar";
						img.alt = "Your avatar";
						box.insertAdjacentElement(
						    "beforebegin", img);
					}
					img.src = image.url;
					box.querySelector(".upload-status")
					    .textContent = "Your avatar is set.";
				}).catch(function (err) {
					box.querySelector(".upload-status")
					    .textContent = err.message;
				});
			} else {
				window.location.reload();
			}
		});
	});

	/*
	 * Times: the page says them in UTC (<time datetime> with class
	 * "local"); here they are said in the reader's own time zone.
	 */
	var TIME_OPTS = {
		year: "numeric", month: "long", day: "numeric",
		hour: "2-digit", minute: "2-digit", timeZoneName: "short"
	};
	function localTimes(root) {
		root.querySelectorAll("time.local[datetime]").forEach(
		    function (t) {
			var d = new Date(t.getAttribute("datetime"));
			if (isNaN(d.getTime()))
				return;
			if (!t.title)
				t.title = t.textContent;
			t.textContent = d.toLocaleString(undefined, TIME_OPTS);
		});
	}
	localTimes(document);
	var comments = document.querySelector("ol.comment-list");
	if (comments && window.MutationObserver)
		new MutationObserver(function () {
			localTimes(comments);
		}).observe(comments, { childList: true });

	/*
	 * Scheduling in the editor: the field shows and takes the reader's
	 * own time; "tz" tells kblog how far that is from UTC (without this
	 * script, the time is read as UTC and the label says so).
	 */
	function pad(n) {
		return (n < 10 ? "0" : "") + n;
	}
	function localValue(d) {
		return d.getFullYear() + "-" + pad(d.getMonth() + 1) + "-" +
		    pad(d.getDate()) + "T" + pad(d.getHours()) + ":" +
		    pad(d.getMinutes()) + (d.getSeconds() ?
		    ":" + pad(d.getSeconds()) : "");
	}
	var when = document.getElementById("f-scheduled_at");
	if (when) {
		var tz = when.form.querySelector('input[name="tz"]');
		var label = when.form.querySelector(".publish .tz");
		if (label)
			label.textContent = "(your time)";
		if (when.value && when.dataset.utc) {
			var utc = new Date(when.value + "Z");
			if (!isNaN(utc.getTime()))
				when.value = localValue(utc);
		}
		when.addEventListener("input", function () {
			var later = when.form.querySelector(
			    'input[name="publish"][value="schedule"]');
			if (later && when.value)
				later.checked = true;
		});
		when.form.addEventListener("submit", function () {
			var local = new Date(when.value);
			tz.value = when.value && !isNaN(local.getTime()) ?
			    String(local.getTimezoneOffset()) : "";
		});
	}

	/* A preview the server rendered: bring it into view. */
	var preview = document.getElementById("preview");
	if (preview)
		preview.scrollIntoView();

	/* Ask before deleting a post. */
	document.querySelectorAll("form.confirm").forEach(function (form) {
		form.addEventListener("submit", function (ev) {
			if (!window.confirm(form.dataset.confirm))
				ev.preventDefault();
		});
	});
})();
