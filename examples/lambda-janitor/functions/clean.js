// Deletes the versions of every Lambda function in the account and region that no alias names,
// keeping the newest VERSIONS_TO_KEEP of them (and $LATEST, which is not a version to delete).
// The AWS SDK for JavaScript v3 ships with the nodejs22.x runtime: nothing to install.
const {
  LambdaClient,
  DeleteFunctionCommand,
  paginateListAliases,
  paginateListFunctions,
  paginateListVersionsByFunction,
} = require("@aws-sdk/client-lambda");

const lambda = new LambdaClient({});

async function collect(pages, key) {
  const items = [];
  for await (const page of pages) items.push(...(page[key] || []));
  return items;
}

// The published versions to delete: numbered, not aliased, older than the newest `keep`.
function toDelete(versions, aliasedVersions, keep) {
  const numbered = versions
    .map((v) => v.Version)
    .filter((v) => v !== "$LATEST" && !aliasedVersions.has(v))
    .map(Number)
    .sort((a, b) => b - a);
  return numbered.slice(keep).map(String);
}

exports.handler = async () => {
  const keep = Number.parseInt(process.env.VERSIONS_TO_KEEP || "3", 10);
  const functions = await collect(paginateListFunctions({ client: lambda }, {}), "Functions");
  let deleted = 0;
  for (const fn of functions) {
    const name = fn.FunctionArn;
    const versions = await collect(
      paginateListVersionsByFunction({ client: lambda }, { FunctionName: name }),
      "Versions",
    );
    const aliases = await collect(
      paginateListAliases({ client: lambda }, { FunctionName: name }),
      "Aliases",
    );
    const aliased = new Set();
    for (const alias of aliases) {
      aliased.add(alias.FunctionVersion);
      const weights = (alias.RoutingConfig || {}).AdditionalVersionWeights || {};
      for (const version of Object.keys(weights)) aliased.add(version);
    }
    for (const version of toDelete(versions, aliased, keep)) {
      console.log(`deleting ${name}:${version}`);
      await lambda.send(new DeleteFunctionCommand({ FunctionName: name, Qualifier: version }));
      deleted += 1;
    }
  }
  return { deleted };
};

exports.toDelete = toDelete;
