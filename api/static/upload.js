// The home page's upload form: sends the file with the write token (a form cannot set the
// Authorization header), then runs a validation if asked, and links to what was made.
"use strict";
(function () {
  const form = document.getElementById("upload-form");
  const out = document.getElementById("upload-result");
  if (!form) return;
  const types = { ttl: "text/turtle", trig: "application/trig", nt: "application/n-triples",
    nq: "application/n-quads", jsonld: "application/ld+json", rdf: "application/rdf+xml",
    owl: "application/rdf+xml", xml: "application/xml", archimate: "application/xml" };
  function say(text, error) { out.textContent = text; out.className = error ? "flash error" : "flash"; }
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    const data = new FormData(form);
    const file = data.get("file");
    const id = data.get("id");
    const kind = types[(file.name.split(".").pop() || "").toLowerCase()] || "text/turtle";
    const params = new URLSearchParams();
    if (data.get("title")) params.set("title", data.get("title"));
    params.set("scope", data.get("scope"));
    const auth = { Authorization: "Bearer " + data.get("token") };
    const replace = data.get("replace") === "on";
    const url = replace ? "/models/" + encodeURIComponent(id) + "?" + params : "/models?id=" + encodeURIComponent(id) + "&" + params;
    say("Uploading " + file.name + "...");
    const response = await fetch(url, { method: replace ? "PUT" : "POST", headers: { ...auth, "Content-Type": kind }, body: file });
    const body = await response.json();
    if (!response.ok) { say("Not loaded: " + body.detail, true); return; }
    if (data.get("validate") === "on") {
      say("Loaded " + body.triples + " triples; validating...");
      const run = await fetch("/models/" + encodeURIComponent(id) + "/validation", { method: "POST", headers: auth });
      if (!run.ok) { say("Loaded, but the validation failed: " + (await run.json()).detail, true); return; }
    }
    window.location.assign("/models/" + encodeURIComponent(id));
  });
})();
