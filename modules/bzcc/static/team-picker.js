// team-picker.js: the Team Picker page without reloads for every click.
// The page works without it (each form posts and the server answers 303
// back to the page); with it, an action goes to the JSON API with the
// X-CSRF-Token header, a refusal shows its reason in place, and the page
// follows the picker as the other commander acts (it asks the API every
// three seconds and reloads when the picker changed).
(function () {
	"use strict";
	var card = document.getElementById("team-picker");
	if (!card || !window.fetch) return;
	var api = card.getAttribute("data-api");
	var csrf = card.getAttribute("data-csrf");
	var errorBox = card.querySelector(".tp-error");

	function signature(doc) {
		var p = doc && doc.picker;
		if (!p) return "none";
		return [p.id, p.phase, p.picks.length, p.commanders.map(function (c) {
			return c.accepted ? 1 : 0;
		}).join("")].join(":");
	}

	function showError(text) {
		if (!errorBox) return;
		errorBox.textContent = text;
		errorBox.hidden = false;
	}

	document.querySelectorAll("form.tp-action").forEach(function (form) {
		form.addEventListener("submit", function (ev) {
			ev.preventDefault();
			var body = {};
			var player = form.querySelector("input[name=player_id]");
			if (player) body.player_id = player.value;
			fetch(form.getAttribute("action"), {
				method: "POST",
				credentials: "same-origin",
				headers: { "Accept": "application/json", "Content-Type": "application/json",
					"X-CSRF-Token": csrf },
				body: JSON.stringify(body)
			}).then(function (res) {
				return res.json().then(function (doc) {
					if (res.ok) {
						window.location.reload();
					} else {
						showError(doc.detail || doc.error || ("HTTP " + res.status));
					}
				});
			}).catch(function () {
				showError("The server could not be reached; try again.");
			});
		});
	});

	var seen = null;
	function follow() {
		fetch(api, { credentials: "same-origin", headers: { "Accept": "application/json" } })
			.then(function (res) { return res.ok ? res.json() : null; })
			.then(function (doc) {
				if (!doc) return;
				var sig = signature(doc);
				if (seen === null) seen = sig;
				else if (sig !== seen) window.location.reload();
			})
			.catch(function () {});
	}
	follow();
	window.setInterval(follow, 3000);
})();
