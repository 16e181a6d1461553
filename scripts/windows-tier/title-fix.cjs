// Loaded first in every node.exe of the Windows tier (NODE_OPTIONS=--require).
// Under Wine the console title is empty, and Node 22's libuv then asserts
// ("Assertion failed: process_title … util.c") the first time a script reads
// process.title while its output is a terminal (nodejs/node#58695, fixed in
// libuv after 1.51). Setting the title first means it is never queried.
process.title = 'node';
