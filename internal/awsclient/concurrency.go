package awsclient

// Concurrency is how many AWS requests one command has in flight at once
// when nothing says otherwise: enough that reading or syncing a hundred
// schedules takes a few round trips' time instead of a hundred, few enough
// to stay well inside the per-operation request rates AWS allows an
// account (the SDK's adaptive retry absorbs the occasional throttle).
// Every package that bounds its own calls defaults to this one number.
const Concurrency = 8
