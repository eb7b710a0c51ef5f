// The room page's own script: live messages and presence over EventSource,
// posting without a reload. All user text is inserted with textContent.
const main = document.querySelector("main[data-room-id]");
const roomId = main.dataset.roomId;
const list = document.getElementById("messages");
const membersList = document.getElementById("members");
const statusLine = document.getElementById("status");
const form = document.getElementById("compose");
const userInput = form.elements.namedItem("user");
const messageInput = form.elements.namedItem("message");
const seen = new Set(Array.from(list.querySelectorAll("li[data-id]"), (li) => li.dataset.id));
const members = new Set(Array.from(membersList.children, (li) => li.textContent));
const renderedLastId = main.dataset.lastId;

const timeFormat = new Intl.DateTimeFormat(undefined, { hour: "2-digit", minute: "2-digit" });
for (const time of list.querySelectorAll("time"))
  time.textContent = timeFormat.format(new Date(time.dateTime));
list.lastElementChild?.scrollIntoView({ block: "end" });

function currentUser() {
  return userInput.value.trim();
}

function showStatus(text) {
  statusLine.textContent = text;
}

// `before`: insert ahead of that element instead of at the end (older messages fetched late).
function append(message, before = null) {
  if (seen.has(message.id)) return;
  seen.add(message.id);
  const atBottom = list.scrollHeight - list.scrollTop - list.clientHeight < 80;
  const item = document.createElement("li");
  item.className = message.userId === currentUser() ? "message own" : "message";
  item.dataset.id = message.id;
  const author = document.createElement("span");
  author.className = "author";
  author.textContent = message.userId;
  const time = document.createElement("time");
  time.dateTime = message.sentAt;
  time.textContent = timeFormat.format(new Date(message.sentAt));
  const text = document.createElement("p");
  text.className = "text";
  text.textContent = message.text;
  item.append(author, " ", time, text);
  list.insertBefore(item, before);
  if (atBottom || message.userId === currentUser()) item.scrollIntoView({ block: "end" });
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
  const firstLive = list.firstElementChild;
  for (const message of (await response.json()).messages) append(message, firstLive);
}

function connect() {
  const params = new URLSearchParams();
  if (currentUser()) params.set("userId", currentUser());
  if (renderedLastId) params.set("since", renderedLastId);
  const source = new EventSource(`/stream/${encodeURIComponent(roomId)}?${params}`);
  source.addEventListener("ready", (event) => {
    const ready = JSON.parse(event.data);
    members.clear();
    for (const member of ready.members) members.add(member);
    renderMembers();
    showStatus(ready.recovered === false ? "Reconnected; some older messages may be missing." : "");
    if (!renderedLastId && ready.lastId)
      catchUp().catch(() => showStatus("Could not load earlier messages."));
  });
  source.addEventListener("message", (event) => append(JSON.parse(event.data)));
  source.addEventListener("joined", (event) => {
    members.add(JSON.parse(event.data).userId);
    renderMembers();
  });
  source.addEventListener("left", (event) => {
    members.delete(JSON.parse(event.data).userId);
    renderMembers();
  });
  source.addEventListener("deleted", () => {
    source.close();
    showStatus("This room was deleted.");
  });
  source.addEventListener("error", () => {
    if (source.readyState !== EventSource.CLOSED) showStatus("Connection lost, reconnecting…");
  });
}

form.addEventListener("submit", async (event) => {
  event.preventDefault();
  const text = messageInput.value;
  if (!text.trim() || !currentUser()) return;
  let response;
  try {
    response = await fetch(form.action, {
      method: "POST",
      headers: { "content-type": "application/json", accept: "application/json" },
      body: JSON.stringify({ userId: currentUser(), text }),
    });
  } catch {
    showStatus("Could not send: the server cannot be reached. Try again.");
    return;
  }
  if (response.status === 201) {
    messageInput.value = "";
    messageInput.focus();
    showStatus("");
    return;
  }
  const body = await response.json().catch(() => null);
  showStatus(body?.error?.message ?? `Could not send (HTTP ${response.status})`);
});

connect();
