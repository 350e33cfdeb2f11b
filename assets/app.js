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
		return fetch(form.action, {
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

	function showError(form, text) {
		var p = form.querySelector(".js-error");
		if (!p) {
			p = document.createElement("p");
			p.className = "error js-error";
			p.setAttribute("role", "alert");
			form.appendChild(p);
		}
		p.textContent = text;
	}

	function clearError(form) {
		var p = form.querySelector(".js-error");
		if (p)
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
				text.value = "";
				clearError(commentForm);
			}).catch(function (e) {
				showError(commentForm, e.message);
			}).finally(function () {
				button.disabled = false;
			});
		});
	}

	/* Ask before deleting a post. */
	document.querySelectorAll("form.confirm").forEach(function (form) {
		form.addEventListener("submit", function (ev) {
			if (!window.confirm(form.dataset.confirm))
				ev.preventDefault();
		});
	});
})();
