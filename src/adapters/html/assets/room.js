// The room page's own script: live messages and presence over EventSource,
// posting without a reload. All user text is inserted with textContent.
const main = document.querySelector("main[data-room-id]");
const roomId = main.dataset.roomId;
const maxBytes = Number(main.dataset.maxBytes);
const signedIn = main.dataset.signedIn === "true";
/** What a person reads for each error code: the server's table, so there is one copy. */
const errorTexts = JSON.parse(main.dataset.errorTexts);
const list = document.getElementById("messages");
const placeholder = document.getElementById("empty");
const newMessages = document.getElementById("new-messages");
const membersPanel = document.getElementById("members-panel");
const membersList = document.getElementById("members");
const statusLine = document.getElementById("status");
const errorLine = document.getElementById("error");
const deletedNotice = document.getElementById("deleted");
const form = document.getElementById("compose");
const userInput = form.elements.namedItem("user");
const messageInput = form.elements.namedItem("message");
const sendButton = form.querySelector("button");
const counter = document.getElementById("counter");
const seen = new Set(Array.from(list.querySelectorAll("li[data-id]"), (li) => li.dataset.id));
const members = new Set(Array.from(membersList.children, (li) => li.textContent));
/** The newest message id this page has: a reopened stream resumes after it. */
let lastId = main.dataset.lastId || undefined;
let source;
/** The name the open stream counts as present. */
let streamUser;
/** A retry of a refused stream, pending. */
let retry;
/** A refused stream is tried again after this long when the refusal may pass (a cap, a busy server). */
const RETRY_REFUSED_MS = 5_000;

const NAME_KEY = "chat-server:name";
const timeFormat = new Intl.DateTimeFormat(undefined, { hour: "2-digit", minute: "2-digit" });
const fullFormat = new Intl.DateTimeFormat(undefined, { dateStyle: "full", timeStyle: "medium" });
const dayFormat = new Intl.DateTimeFormat(undefined, { weekday: "long", month: "long", day: "numeric" });
const dayOf = (date) => date.toDateString();
const encoder = new TextEncoder();

function currentUser() {
  return userInput.value.trim();
}

function showStatus(text) {
  statusLine.textContent = text;
}

/** An error stays until what caused it is resolved (a send that works, an edit that fixes it). */
function showError(code) {
  errorLine.dataset.code = code;
  errorLine.textContent = code === "" ? "" : (errorTexts[code] ?? errorTexts.internal);
  errorLine.hidden = code === "";
}

function atBottom() {
  return list.scrollHeight - list.scrollTop - list.clientHeight < 80;
}

function scrollToEnd() {
  list.scrollTop = list.scrollHeight;
  newMessages.hidden = true;
}

/** Message text with its web links clickable: anchors built from text nodes, never from markup. */
function renderText(paragraph, text) {
  const parts = text.split(/(https?:\/\/[^\s<>"']+[^\s<>"'.,;:!?)\]])/);
  paragraph.replaceChildren(
    ...parts.map((part, i) => {
      if (i % 2 === 0) return document.createTextNode(part);
      const link = document.createElement("a");
      link.href = part;
      link.textContent = part;
      link.target = "_blank";
      link.rel = "noopener noreferrer";
      return link;
    }),
  );
}

/** Local time, the full date and time on hover, and a divider before the first message of each day. */
function decorate(item) {
  const time = item.querySelector("time");
  const sentAt = new Date(time.dateTime);
  time.textContent = timeFormat.format(sentAt);
  time.title = fullFormat.format(sentAt);
  let previous = item.previousElementSibling;
  while (previous !== null && !previous.matches("li.message")) previous = previous.previousElementSibling;
  const day = dayOf(sentAt);
  const previousDay =
    previous === null ? undefined : dayOf(new Date(previous.querySelector("time").dateTime));
  if (previousDay !== day && !item.previousElementSibling?.matches("li.day")) {
    const divider = document.createElement("li");
    divider.className = "day";
    divider.textContent = dayFormat.format(sentAt);
    item.before(divider);
  }
}

// `before`: insert ahead of that element instead of at the end (older messages fetched late).
function append(message, before = null) {
  if (seen.has(message.id)) return;
  seen.add(message.id);
  const wasAtBottom = atBottom();
  const item = document.createElement("li");
  item.className = message.userId === currentUser() ? "message own" : "message";
  item.dataset.id = message.id;
  const author = document.createElement("span");
  author.className = "author";
  author.textContent = message.userId;
  const time = document.createElement("time");
  time.dateTime = message.sentAt;
  const text = document.createElement("p");
  text.className = "text";
  renderText(text, message.text);
  item.append(author, " ", time, text);
  // A divider belongs to the message after it: insert before that message's divider.
  const anchor = before?.previousElementSibling?.matches("li.day") ? before.previousElementSibling : before;
  list.insertBefore(item, anchor);
  decorate(item);
  placeholder.hidden = true;
  if (before !== null) return;
  if (wasAtBottom || message.userId === currentUser()) scrollToEnd();
  else newMessages.hidden = false;
}

function renderMembers() {
  const items = Array.from(members)
    .sort()
    .map((name) => {
      const item = document.createElement("li");
      item.textContent = name;
      return item;
    });
  membersList.replaceChildren(...items);
}

// The page was rendered empty: fetch what arrived before the stream opened.
async function catchUp() {
  const response = await fetch(`/room/${encodeURIComponent(roomId)}/messages`, {
    headers: { accept: "application/json" },
  });
  if (!response.ok) return;
  // Everything fetched that the stream did not deliver is older than what it did.
  const firstLive = list.querySelector("li.message");
  for (const message of (await response.json()).messages) append(message, firstLive);
}

/** Opens the stream as the current name, resuming after the newest message the page has. */
function connect() {
  source?.close();
  clearTimeout(retry);
  streamUser = currentUser();
  const params = new URLSearchParams();
  if (streamUser) params.set("userId", streamUser);
  if (lastId) params.set("since", lastId);
  const rendered = lastId !== undefined;
  const stream = new EventSource(`/stream/${encodeURIComponent(roomId)}?${params}`);
  source = stream;
  stream.addEventListener("ready", (event) => {
    const ready = JSON.parse(event.data);
    members.clear();
    for (const member of ready.members) members.add(member);
    renderMembers();
    membersPanel.classList.remove("stale");
    showStatus(ready.recovered === false ? "Reconnected; some older messages may be missing." : "");
    if (!rendered && ready.lastId) catchUp().catch(() => showStatus("Could not load earlier messages."));
  });
  stream.addEventListener("message", (event) => {
    const message = JSON.parse(event.data);
    lastId = message.id;
    append(message);
  });
  stream.addEventListener("joined", (event) => {
    members.add(JSON.parse(event.data).userId);
    renderMembers();
  });
  stream.addEventListener("left", (event) => {
    members.delete(JSON.parse(event.data).userId);
    renderMembers();
  });
  stream.addEventListener("deleted", () => {
    stream.close();
    roomDeleted();
  });
  stream.addEventListener("error", () => {
    membersPanel.classList.add("stale");
    // CLOSED: the server answered with an error, and EventSource gives up for good.
    if (stream.readyState === EventSource.CLOSED) void refused(stream);
    else showStatus("Connection lost, reconnecting…");
  });
}

/**
 * EventSource does not say why it was refused: ask the same URL once for the
 * JSON error, say it, and try again later when the refusal may pass.
 */
async function refused(stream) {
  const probe = new AbortController();
  let response;
  try {
    response = await fetch(stream.url, { headers: { accept: "application/json" }, signal: probe.signal });
  } catch {
    response = undefined;
  }
  if (stream !== source) return probe.abort(); // a newer stream took its place meanwhile
  if (response?.ok) {
    probe.abort(); // it would be served now: open it properly
    return connect();
  }
  const code = (await response?.json().catch(() => null))?.error?.code ?? "unreachable";
  showStatus(`Not connected. ${errorTexts[code] ?? errorTexts.internal}`);
  if (response === undefined || response.status === 429 || response.status >= 500)
    retry = setTimeout(connect, RETRY_REFUSED_MS);
}

/** The room is gone: say so, keep the page as it was, and post nothing until the person chooses. */
function roomDeleted() {
  members.clear();
  renderMembers();
  deletedNotice.hidden = false;
  form.hidden = true;
  showStatus("");
  showError("");
}

document.getElementById("reopen").addEventListener("click", () => {
  // A new room of the same name: nothing of the old one carries over.
  list.replaceChildren();
  seen.clear();
  lastId = undefined;
  placeholder.hidden = false;
  deletedNotice.hidden = true;
  form.hidden = false;
  connect();
  messageInput.focus();
});

/** Bytes left before the server's limit: the counter shows near it, and Send is off past it. */
function checkLength() {
  const used = encoder.encode(messageInput.value).length;
  const over = used > maxBytes;
  counter.hidden = used < maxBytes * 0.8;
  counter.textContent = over ? `${used - maxBytes} bytes too long` : `${maxBytes - used} left`;
  counter.classList.toggle("over", over);
  sendButton.disabled = over;
  if (!over && errorLine.dataset.code === "message_too_long") showError("");
  return !over;
}

/** A changed name is a new presence: the stream reopens as it, from the newest message (nothing is lost). */
function nameChanged() {
  const name = currentUser();
  if (name === "" || name === streamUser || signedIn) return;
  localStorage.setItem(NAME_KEY, name);
  const url = new URL(location.href);
  url.searchParams.set("user", name);
  history.replaceState(null, "", url);
  for (const item of list.querySelectorAll("li.message"))
    item.classList.toggle("own", item.querySelector(".author").textContent === name);
  connect();
}

form.addEventListener("submit", async (event) => {
  event.preventDefault();
  const text = messageInput.value;
  if (!currentUser()) return showError("invalid_user_id");
  if (!text.trim()) return showError("invalid_text");
  if (!checkLength()) return showError("message_too_long");
  nameChanged();
  let response;
  try {
    response = await fetch(form.action, {
      method: "POST",
      headers: { "content-type": "application/json", accept: "application/json" },
      body: JSON.stringify({ userId: currentUser(), text }),
    });
  } catch {
    return showError("unreachable");
  }
  if (response.status === 201) {
    messageInput.value = "";
    checkLength();
    messageInput.focus();
    showError("");
    return;
  }
  const body = await response.json().catch(() => null);
  showError(body?.error?.code ?? "internal");
});

messageInput.addEventListener("keydown", (event) => {
  // Enter sends; Shift+Enter starts a new line.
  if (event.key !== "Enter" || event.shiftKey || event.isComposing) return;
  event.preventDefault();
  form.requestSubmit();
});
messageInput.addEventListener("input", () => {
  checkLength();
  if (errorLine.dataset.code === "invalid_text" && messageInput.value.trim()) showError("");
});
userInput.addEventListener("change", nameChanged);
userInput.addEventListener("input", () => {
  if (errorLine.dataset.code === "invalid_user_id" && currentUser()) showError("");
});
list.addEventListener("scroll", () => {
  if (atBottom()) newMessages.hidden = true;
});
newMessages.addEventListener("click", scrollToEnd);

// A name chosen earlier in this browser wins over the generated guest name.
const stored = localStorage.getItem(NAME_KEY);
if (!signedIn && !new URLSearchParams(location.search).has("user") && stored) userInput.value = stored;
for (const item of list.querySelectorAll("li.message")) {
  item.classList.toggle("own", item.querySelector(".author").textContent === currentUser());
  renderText(item.querySelector(".text"), item.querySelector(".text").textContent);
  decorate(item);
}
scrollToEnd();
checkLength();
connect();
