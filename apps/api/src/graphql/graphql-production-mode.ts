/**
 * Loads graphql-js in its production mode unless NODE_ENV says otherwise; imported by the
 * server's entry point before anything else loads graphql.
 *
 * Outside NODE_ENV=production graphql-js's `instanceOf` (every type test of its executor:
 * ~4 % of the API's CPU on a page of 200 key results) also compares class names, to explain an
 * error that only two copies of graphql in node_modules can cause; the lock file holds one,
 * and the test suites, which do not start through this entry, keep the check. It reads
 * NODE_ENV once, when its module loads; the variable itself is left as it was, so that the
 * configuration (which refuses development secrets in production) is unaffected.
 */
if (process.env.NODE_ENV === undefined) {
  process.env.NODE_ENV = 'production';
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- must load now, in this mode
    require('graphql/jsutils/instanceOf');
  } finally {
    delete process.env.NODE_ENV;
  }
}

export {};
