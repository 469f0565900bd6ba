/**
 * The site's only script: progressive enhancement, no dependencies. Every page works
 * without it. It fills the time zone field, sends the signup form with fetch and shows
 * the answer inline, auto-submits the confirm form once, and reports the first play of
 * the masterclass video, and offers "did you mean …?" for mistyped email domains (with the
 * spell-check script the landing page loads first). Kept as plain ES2017 so it runs
 * unbundled in any browser in use.
 */
export const siteJs = `(function () {
  "use strict";

  var zone = "";
  try {
    zone = Intl.DateTimeFormat().resolvedOptions().timeZone || "";
  } catch (e) {}
  document.querySelectorAll('input[name="tz"]').forEach(function (input) {
    if (!input.value) input.value = zone;
  });

  document.querySelectorAll("form[data-signup]").forEach(function (form) {
    form.addEventListener("submit", function (event) {
      if (!window.fetch || form.getAttribute("data-busy")) return;
      event.preventDefault();
      sendSignup(form);
    });
    var email = form.elements.namedItem("email");
    var hint = form.querySelector("[data-suggest]");
    if (email && hint) {
      email.addEventListener("blur", function () { offerSuggestion(email, hint); });
      email.addEventListener("input", function () {
        if (hint.textContent) offerSuggestion(email, hint);
      });
    }
  });

  function field(form, name) {
    var el = form.elements.namedItem(name);
    return el && typeof el.value === "string" ? el.value : "";
  }

  function say(form, text, kind) {
    var status = form.querySelector("[data-status]");
    if (!status) return;
    status.className = "status" + (kind ? " is-" + kind : "");
    status.textContent = text;
  }

  function add(parent, tag, text) {
    var node = tag ? document.createElement(tag) : document.createTextNode(text);
    if (tag) node.textContent = text;
    parent.appendChild(node);
    return node;
  }

  // "gmial.com" -> "gmail.com": the spell-check script (served by this site) when it loaded.
  function suggestionFor(address) {
    try {
      var s = typeof window.emailSuggestion === "function" ? window.emailSuggestion(address) : "";
      return s && s !== address ? s : "";
    } catch (e) {
      return "";
    }
  }

  function offerSuggestion(email, hint) {
    var s = suggestionFor(email.value.trim());
    hint.textContent = "";
    if (!s) return;
    add(hint, null, "Did you mean ");
    var use = add(hint, "button", s);
    use.type = "button";
    use.className = "link-button";
    use.addEventListener("click", function () {
      email.value = s;
      hint.textContent = "";
      email.focus();
    });
    add(hint, null, "?");
  }

  // After signing up: the address it went to, and a way to correct it.
  function showSent(form, address) {
    var status = form.querySelector("[data-status]");
    var fields = form.querySelector("[data-fields]");
    var email = form.elements.namedItem("email");
    if (!status) return;
    status.className = "status is-ok";
    status.textContent = "";
    add(status, "strong", form.getAttribute("data-success") || "Please check your inbox.");
    add(status, null, " A confirmation email is on its way to ");
    add(status, "strong", address);
    add(status, null, ". Click the button in it and the masterclass is yours.");
    // The answer is the same for an address already subscribed (nobody can learn who is).
    add(status, null, " Already subscribed with it? Then nothing changes and your lessons keep coming.");
    var s = suggestionFor(address);
    var line = add(status, "span", s ? "Did you mean " + s + "? " : "Not the right address? ");
    line.className = "status-fix";
    var fix = add(line, "button", s ? "Use " + s + " instead" : "Change it");
    fix.type = "button";
    fix.className = "link-button";
    fix.addEventListener("click", function () {
      if (fields) fields.hidden = false;
      form.classList.remove("is-done");
      say(form, "", "");
      if (email) {
        if (s) email.value = s;
        email.focus();
        if (!s && email.select) email.select();
      }
    });
    status.focus();
  }

  function sendSignup(form) {
    var button = form.querySelector("button[type=submit]");
    var fields = form.querySelector("[data-fields]");
    var hint = form.querySelector("[data-suggest]");
    var body = {
      email: field(form, "email").trim(),
      firstName: field(form, "firstName").trim(),
      tz: field(form, "tz") || zone,
      stamp: field(form, "stamp"),
      website: field(form, "website"),
    };
    form.setAttribute("data-busy", "1");
    if (button) button.disabled = true;
    form.querySelectorAll("[aria-invalid]").forEach(function (el) {
      el.removeAttribute("aria-invalid");
    });
    say(form, "Sending…", "");

    fetch(form.getAttribute("data-api") || form.getAttribute("action"), {
      method: "POST",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", Accept: "application/json" },
      body: JSON.stringify(body),
    }).then(
      function (res) {
        return res.json().catch(function () { return {}; }).then(function (data) {
          done();
          if (res.ok) {
            if (fields) fields.hidden = true;
            if (hint) hint.textContent = "";
            form.classList.add("is-done");
            showSent(form, body.email);
            return;
          }
          say(form, (data && data.error) || "Something went wrong on my side. Please try again in a moment.", "error");
          markIssues(form, data && data.issues);
        });
      },
      function () {
        // No answer at all (offline, blocked): let the browser post the form instead.
        done();
        form.setAttribute("data-busy", "1");
        form.submit();
      },
    );

    function done() {
      form.removeAttribute("data-busy");
      if (button) button.disabled = false;
    }
  }

  function markIssues(form, issues) {
    if (!Array.isArray(issues)) return;
    var first = null;
    issues.forEach(function (issue) {
      var path = issue && (Array.isArray(issue.path) ? issue.path[0] : issue.path);
      var el = typeof path === "string" ? form.elements.namedItem(path) : null;
      if (el && el.type !== "hidden" && typeof el.focus === "function") {
        el.setAttribute("aria-invalid", "true");
        if (!first) first = el;
      }
    });
    if (first) first.focus();
  }

  var auto = document.querySelector("form[data-autosubmit]");
  if (auto) {
    var key = "autosubmitted:" + auto.getAttribute("action");
    var seen = false;
    try {
      seen = sessionStorage.getItem(key) === "1";
      sessionStorage.setItem(key, "1");
    } catch (e) {}
    if (!seen) {
      setTimeout(function () { auto.submit(); }, 400);
    }
  }

  // Chapters: jump within the video already on the page instead of reloading it.
  document.querySelectorAll("a[data-seek]").forEach(function (link) {
    link.addEventListener("click", function (event) {
      var video = document.getElementById(link.getAttribute("aria-controls") || "");
      var at = Number(link.getAttribute("data-seek"));
      if (!video || !isFinite(at)) return;
      event.preventDefault();
      video.currentTime = at;
      var playing = video.play && video.play();
      if (playing && playing.catch) playing.catch(function () {});
      video.focus();
    });
  });

  document.querySelectorAll("video[data-play-beacon]").forEach(function (video) {
    var url = video.getAttribute("data-play-beacon") || "/api/events/play";
    video.addEventListener("play", function onPlay() {
      video.removeEventListener("play", onPlay);
      var sent = false;
      try {
        sent = navigator.sendBeacon ? navigator.sendBeacon(url) : false;
      } catch (e) {}
      if (!sent && window.fetch) {
        fetch(url, { method: "POST", keepalive: true, credentials: "same-origin" }).catch(function () {});
      }
    });
  });
})();
`;
