// imsbridge console: progressive enhancement only. Every page works without this file;
// with it, selection, the Authentication Type switch and the Developer Console JSON happen
// in place. No framework, no build step.
(function () {
  "use strict";
  document.documentElement.classList.add("js");

  function $(sel, root) { return (root || document).querySelector(sel); }
  function $$(sel, root) { return Array.prototype.slice.call((root || document).querySelectorAll(sel)); }

  function ready(fn) {
    if (document.readyState !== "loading") fn(); else document.addEventListener("DOMContentLoaded", fn);
  }

  ready(function () {
    $$(".js-only").forEach(function (el) { el.hidden = false; });
    $$(".nojs-only").forEach(function (el) { el.hidden = true; });

    // Language switch and list filters submit as soon as they change.
    $$("form[data-autosubmit] select").forEach(function (sel) {
      sel.addEventListener("change", function () { sel.form.submit(); });
    });
    $$("select[data-autosubmit-filter]").forEach(function (sel) {
      sel.addEventListener("change", function () { sel.form.submit(); });
    });

    // List selection: toolbar actions need a selected row; clicking a row selects it.
    var selForm = $("form[data-selection-form]");
    if (selForm) {
      var buttons = $$("[data-needs-selection]", selForm);
      var status = $("#selection-status");
      var sync = function () {
        var checked = $("input[name=id]:checked", selForm);
        buttons.forEach(function (b) { b.disabled = !checked; });
        $$("tbody tr", selForm).forEach(function (tr) {
          tr.classList.toggle("is-selected", !!checked && tr.contains(checked));
        });
        if (status && checked) {
          var title = checked.closest("tr").querySelector(".cell-title");
          status.textContent = title ? title.textContent : "";
        }
      };
      $$("tbody tr", selForm).forEach(function (tr) {
        tr.addEventListener("click", function (ev) {
          if (ev.target.closest("a, button, input")) return;
          var radio = $("input[name=id]", tr);
          if (radio) { radio.checked = true; radio.focus(); sync(); }
        });
        tr.addEventListener("dblclick", function (ev) {
          if (ev.target.closest("a, button")) return;
          var link = $("a.cell-title", tr);
          if (link) window.location.href = link.href;
        });
      });
      $$("input[name=id]", selForm).forEach(function (r) { r.addEventListener("change", sync); });
      sync();
    }

    // Authentication Type: JWT -> OAuth switches the form in place (without JS the switch
    // reloads the page with ?auth_type=oauth, which renders the same form).
    var authSelect = $("#f-auth_type");
    var oauthFields = $("#oauth-fields");
    var jwtFields = $("#jwt-fields");
    var submit = $("#form-submit");
    if (authSelect && oauthFields && !authSelect.disabled) {
      authSelect.addEventListener("change", function () {
        var oauth = authSelect.value === "oauth";
        oauthFields.hidden = !oauth;
        oauthFields.disabled = !oauth;
        if (jwtFields) jwtFields.hidden = oauth;
        if (submit) submit.disabled = !oauth;
        // The badges and notes say what the form now is: JWT and read-only, or OAuth.
        $$("[data-auth]").forEach(function (el) { el.hidden = el.dataset.auth !== authSelect.value; });
        var mode = $("#config-form input[name=mode]");
        if (mode) mode.value = oauth ? "migrate" : "jwt";
        var url = new URL(window.location.href);
        if (oauth) url.searchParams.set("auth_type", "oauth"); else url.searchParams.delete("auth_type");
        window.history.replaceState(null, "", url.toString());
        if (oauth) {
          var first = $("input:not([disabled])", oauthFields);
          var secret = $("#f-client_secret", oauthFields);
          (secret || first || oauthFields).focus();
        }
      });
    }

    // Create: the Name follows the Title until someone edits it.
    var title = $("#config-form[data-mode=create] #f-title");
    var name = $("#config-form[data-mode=create] #f-name");
    if (title && name) {
      var touched = name.value !== "";
      name.addEventListener("input", function () { touched = name.value !== ""; });
      title.addEventListener("input", function () {
        if (touched) return;
        name.value = title.value.toLowerCase().normalize("NFKD").replace(/[^a-z0-9]+/g, "-").replace(/^-+|-+$/g, "").slice(0, 63);
      });
    }

    // Cloud Solution "Other" needs a name; hide the name field otherwise.
    var solution = $("#config-form #f-cloud_solution");
    var otherField = $("#config-form [data-field=other_solution]");
    if (solution && otherField && !solution.disabled) {
      var syncOther = function () { otherField.hidden = solution.value !== "other"; };
      solution.addEventListener("change", syncOther);
      syncOther();
    }

    // Developer Console project JSON: fill the fields here, in the browser.
    var fill = $("#dc-json-fill");
    var text = $("#f-project_json");
    var file = $("#f-project_file");
    var dcStatus = $("#dc-json-status");
    function fillFromJson() {
      var ok = false;
      try {
        var doc = JSON.parse(text.value);
        var project = doc.project || doc;
        var creds = (((project.workspace || {}).details || {}).credentials || []);
        var oauth = null;
        for (var i = 0; i < creds.length; i++) {
          if (creds[i] && creds[i].oauth_server_to_server) { oauth = creds[i].oauth_server_to_server; break; }
        }
        if (oauth) {
          var set = function (id, v) { var el = $("#" + id); if (el && v) el.value = v; };
          set("f-client_id", oauth.client_id);
          set("f-client_secret", (oauth.client_secrets || [])[0]);
          set("f-scopes", Array.isArray(oauth.scopes) ? oauth.scopes.join(",") : oauth.scopes);
          set("f-org_id", (project.org || {}).ims_org_id);
          set("f-technical_account_id", oauth.technical_account_id);
          var t = $("#f-title");
          if (t && !t.value && (project.title || project.name)) {
            t.value = project.title || project.name;
            t.dispatchEvent(new Event("input"));
          }
          // The JSON holds the secret: once the fields are filled, it is not sent again.
          text.value = "";
          if (file) file.value = "";
          ok = true;
        }
      } catch (e) { ok = false; }
      if (dcStatus) dcStatus.textContent = ok ? dcStatus.dataset.ok : dcStatus.dataset.bad;
      return ok;
    }
    if (fill && text) fill.addEventListener("click", fillFromJson);
    if (file && text) {
      file.addEventListener("change", function () {
        var f = file.files && file.files[0];
        if (!f) return;
        var reader = new FileReader();
        reader.onload = function () { text.value = String(reader.result || ""); fillFromJson(); };
        reader.readAsText(f);
      });
    }

    // Copy buttons (the new API token).
    $$("[data-copy]").forEach(function (btn) {
      btn.addEventListener("click", function () {
        var src = $(btn.getAttribute("data-copy"));
        if (!src) return;
        var label = $("span", btn);
        var done = function () { if (label) label.textContent = btn.getAttribute("data-copied"); };
        if (navigator.clipboard && window.isSecureContext) {
          navigator.clipboard.writeText(src.value).then(done, function () { src.select(); document.execCommand("copy"); done(); });
        } else { src.select(); document.execCommand("copy"); done(); }
      });
    });

    // Move focus to the error summary so screen readers announce it.
    var summary = $("#error-summary");
    if (summary) summary.focus();
  });
})();
