"use strict";
// The editor's page: every finding of the server's check highlighted in place.
// Offsets from the server count code points; JavaScript strings count UTF-16 units.
(function () {
  const $ = (id) => document.getElementById(id);
  let text = "", findings = [], selected = null;

  function units(s) {
    const at = [0];
    let n = 0;
    for (const ch of s) { n += ch.length; at.push(n); }
    return at;
  }

  function headers() {
    const h = { "Content-Type": "application/json" };
    const token = $("token").value.trim();
    if (token) h.Authorization = "Bearer " + token;
    return h;
  }

  async function call(path, body) {
    const response = await fetch(path, { method: "POST", headers: headers(), body: JSON.stringify(body) });
    let data = null;
    try { data = await response.json(); } catch (e) { data = null; }
    if (response.status === 401) $("token-box").open = true;
    if (!response.ok && !(data && (data.files || data.report))) {
      throw new Error((data && data.error) || ("HTTP " + response.status));
    }
    return data;
  }

  function request() {
    const body = { text: $("article").value, format: $("format").value };
    const source = $("source").value;
    if (source.trim()) body.source = source;
    return body;
  }

  function say(message) { $("status").textContent = message; }

  function render(report) {
    const file = report.files[0];
    text = $("article").value;
    findings = file.findings;
    const at = units(text);
    const view = $("view");
    view.replaceChildren();
    let done = 0;
    findings.forEach((f, i) => {
      const start = at[f.offset], end = at[f.offset + f.length];
      if (start < done) return; // overlapping: listed below, not marked twice
      view.append(document.createTextNode(text.slice(done, start)));
      const mark = document.createElement("mark");
      mark.className = "rule-" + f.rule;
      mark.dataset.index = String(i);
      mark.title = f.rule + ": " + f.message + (f.translation ? " (machine translation: " + f.translation + ")" : "");
      mark.textContent = text.slice(start, end);
      mark.tabIndex = 0;
      view.append(mark);
      done = end;
    });
    view.append(document.createTextNode(text.slice(done)));
    const list = $("findings");
    list.replaceChildren();
    findings.forEach((f, i) => {
      const item = document.createElement("li");
      item.textContent = f.line + ":" + f.column + " " + f.severity + "[" + f.rule + "] " + f.message;
      item.dataset.index = String(i);
      list.append(item);
    });
    $("result").hidden = false;
    $("detail").hidden = true;
    $("fix-all").disabled = !findings.some((f) => f.fix === "safe" && f.suggestion);
    const n = findings.length;
    say(file.error ? file.error : n + " finding" + (n === 1 ? "" : "s") + ".");
  }

  function show(i) {
    const f = findings[i];
    if (!f) return;
    selected = i;
    document.querySelectorAll("mark.selected").forEach((m) => m.classList.remove("selected"));
    const mark = document.querySelector('mark[data-index="' + i + '"]');
    if (mark) mark.classList.add("selected");
    $("detail-rule").textContent = f.severity + " · " + f.rule + (f.suggestion ? " → " + f.suggestion : "");
    $("detail-message").textContent = f.message;
    $("detail-note").textContent = f.entry ? "Glossary entry: " + f.entry : "";
    $("detail-translation").textContent = f.translation ? "Machine translation: " + f.translation : "";
    const link = $("detail-url");
    link.hidden = true;
    $("fix-one").hidden = !f.suggestion;
    $("detail").hidden = false;
    if (f.entry) entry(f.entry).then((e) => {
      if (selected !== i || !e) return;
      $("detail-note").textContent = "Glossary entry: " + e.term + (e.note ? " — " + e.note : "");
      const url = /^https?:\/\//.test(e.url || "") ? e.url : "";
      link.textContent = url; link.href = url || "#"; link.hidden = !url;
    });
  }

  const entries = new Map();
  function entry(term) {
    if (!entries.has(term)) {
      entries.set(term, fetch("/api/entry?term=" + encodeURIComponent(term), { headers: headers() })
        .then((r) => (r.ok ? r.json() : null)).catch(() => null));
    }
    return entries.get(term);
  }

  async function check() {
    say("Checking…");
    entries.clear(); // the glossary may have been reloaded meanwhile
    try { render(await call("/api/check", request())); } catch (e) { say("Error: " + e.message); }
  }

  async function fix(body) {
    say("Fixing…");
    try {
      const out = await call("/api/fix", body);
      if (out.error) { say("Error: " + out.error); return; }
      $("article").value = out.text;

      render(out.report);
      say("Fixed " + out.fixed + ". " + $("status").textContent);
    } catch (e) { say("Error: " + e.message); }
  }

  function pick(event) {
    const target = event.target.closest("[data-index]");
    if (target) show(Number(target.dataset.index));
  }

  document.addEventListener("DOMContentLoaded", () => {
    $("check").addEventListener("click", check);
    $("view").addEventListener("click", pick);
    $("view").addEventListener("mouseover", pick);
    $("view").addEventListener("keydown", (e) => { if (e.key === "Enter") pick(e); });
    $("findings").addEventListener("click", pick);
    $("fix-one").addEventListener("click", () => {
      const f = findings[selected];
      if (f) fix({ text: $("article").value, format: $("format").value, offset: f.offset, rule: f.rule });
    });
    $("fix-all").addEventListener("click", () => fix({ text: $("article").value, format: $("format").value }));
    $("copy").addEventListener("click", async () => {
      try { await navigator.clipboard.writeText($("article").value); say("Copied."); }
      catch (e) { $("article").select(); say("Select all and copy (the browser refused)."); }
    });
    $("download").addEventListener("click", () => {
      const ext = { txt: "txt", md: "md", html: "html" }[$("format").value];
      const link = document.createElement("a");
      link.href = URL.createObjectURL(new Blob([$("article").value], { type: "text/plain;charset=utf-8" }));
      link.download = "article." + ext;
      link.click();
      setTimeout(() => URL.revokeObjectURL(link.href), 1000);
    });
    fetch("/healthz").then((r) => r.json()).then((h) => {
      $("glossary").textContent = h.glossary.name + " · " + h.glossary.entries + " entries · generation " + h.generation;
    }).catch(() => {});
  });
})();
