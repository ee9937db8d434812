// Runs verdaccio (6.8, which supports Node 20) with the configuration file given as the first argument on
// 127.0.0.1 and an ephemeral port, and tells the parent process that port over IPC.
'use strict';
const { runServer } = require('verdaccio');

runServer(process.argv[2]).then((server) => {
  server.listen(0, '127.0.0.1', () => process.send({ port: server.address().port }));
});
