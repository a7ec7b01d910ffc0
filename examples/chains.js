// An order service written with promise chains, the way a lot of Node code still is.
//
//   bridge translate examples/chains.js              -> the same module with async/await
//   bridge translate examples/chains.js --to python  -> the same module as Python asyncio
//   python -c "import bridge; bridge.run(open('examples/chains.js').read())"  -> run it as is
//
// The "network" is simulated with timers so the file runs anywhere.

const delay = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

const USERS = { 1: { id: 1, name: "Ada", tier: "gold" }, 2: { id: 2, name: "Lin", tier: "basic" } };
const STOCK = { apple: 5, pear: 0, plum: 12 };

function fetchUser(id) {
  return delay(5).then(() => {
    const user = USERS[id];
    if (!user) {
      throw new Error(`no user ${id}`);
    }
    return user;
  });
}

function fetchStock(item) {
  return delay(3).then(() => STOCK[item] ?? 0);
}

function chargeCard(user, total) {
  return delay(4).then(() => {
    if (total > 100) {
      throw new Error(`card declined for ${user.name}`);
    }
    return `receipt-${user.id}-${total}`;
  });
}

// then chain with a destructured parameter and an early return
function describeUser(id) {
  return fetchUser(id)
    .then(({ name, tier }) => {
      if (tier === "gold") {
        return `${name} (priority)`;
      }
      return name;
    })
    .then((label) => `user: ${label}`);
}

// Promise.all with destructuring, then a computation
function availability(items) {
  return Promise.all(items.map((item) => fetchStock(item))).then((counts) => {
    const available = items.filter((item, i) => counts[i] > 0);
    return `${available.length}/${items.length} in stock: ${available.join(", ")}`;
  });
}

// catch that recovers, and finally that logs without changing the outcome
function safeDescribe(id) {
  return describeUser(id)
    .catch((err) => `unknown (${err.message})`)
    .finally(() => console.log(`looked up user ${id}`));
}

// then(onFulfilled, onRejected): the rejection handler never sees the first handler's errors
function checkout(id, total) {
  return fetchUser(id)
    .then((user) => chargeCard(user, total))
    .then(
      (receipt) => `paid: ${receipt}`,
      (err) => `not paid: ${err.message}`,
    );
}

// a nested chain returned from a handler: flattened into one sequence of awaits
function restock(item, amount) {
  return fetchStock(item).then((count) =>
    delay(2).then(() => {
      STOCK[item] = count + amount;
      return `${item}: ${count} -> ${STOCK[item]}`;
    }),
  );
}

// a chain in a function that is already async
async function report() {
  const lines = [];
  for (const id of [1, 2, 3]) {
    lines.push(await safeDescribe(id));
  }
  const stock = await availability(["apple", "pear", "plum"]).catch(() => "stock unknown");
  lines.push(stock);
  return lines;
}

async function main() {
  const lines = await report();
  for (const line of lines) {
    console.log(line);
  }
  console.log(await checkout(1, 40));
  console.log(await checkout(2, 400));
  console.log(await restock("pear", 3));
  return "done";
}

main();
