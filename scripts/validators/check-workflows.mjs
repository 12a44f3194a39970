// The project's own rules for .github/workflows/*.yml, beyond GitHub's schema (which
// action-validator checks): the results must not drift under an unpinned runner, and every
// report of a run must reach the job that compares them.
//   node check-workflows.mjs WORKFLOW.yml...   prints each violation, exits 1 if there is any
//   (check-workflows.test.mjs proves each rule on broken copies of a workflow)
// Rules:
//   - every runs-on label (each matrix value, when it is a matrix expression) is a pinned
//     GitHub-hosted image (ubuntu-22.04, windows-2022, ...), never *-latest
//   - every container image names a tag, never latest
//   - every action is used at a version (owner/name@ref, not a branch such as main or master)
//   - an artifact uploaded by a matrix job has the matrix in its name, and artifact names are
//     unique across the workflows (a run with two artifacts of one name fails)
//   - a job that uses a local reusable workflow names a file that exists and has workflow_call
//   - a job that runs `conformance compare` needs every other job of its workflow
import { readFileSync, existsSync } from "node:fs";
import path from "node:path";
import { parse } from "yaml";

const problems = [];
const fail = (file, where, message) => problems.push(`${file}: ${where}: ${message}`);

const pinnedImage = /^(ubuntu|windows|macos)-\d[\d.]*(-[a-z0-9]+)*$/;
const matrixRef = /^\$\{\{\s*matrix\.([A-Za-z0-9_-]+)\s*\}\}$/;

// The values a matrix key takes: its list, plus every include entry that sets it.
function matrixValues(job, key) {
  const matrix = job.strategy?.matrix;
  if (!matrix || typeof matrix !== "object") return null;
  const values = Array.isArray(matrix[key]) ? [...matrix[key]] : [];
  for (const entry of matrix.include ?? []) if (entry && key in entry) values.push(entry[key]);
  return values.length ? values : null;
}

function checkRunsOn(file, name, job) {
  if (job.uses) return; // a reusable workflow's jobs are checked in its own file
  let labels = job["runs-on"];
  if (labels && typeof labels === "object" && !Array.isArray(labels)) labels = labels.labels;
  if (labels === undefined) return fail(file, `job ${name}`, "no runs-on");
  for (const label of [].concat(labels)) {
    const ref = typeof label === "string" && label.match(matrixRef);
    const values = ref ? matrixValues(job, ref[1]) : [label];
    if (!values) {
      fail(file, `job ${name}`, `runs-on ${label}: matrix.${ref[1]} has no values to check`);
      continue;
    }
    for (const value of values) {
      if (typeof value !== "string" || value.endsWith("-latest") || !pinnedImage.test(value))
        fail(file, `job ${name}`, `runs-on '${value}' is not a pinned runner image (e.g. ubuntu-22.04, windows-2022)`);
    }
  }
}

function checkContainer(file, name, job) {
  const container = job.container;
  if (!container) return;
  const image = typeof container === "string" ? container : container.image;
  const tag = typeof image === "string" && /:([^/:]+)$/.exec(image);
  if (!tag || tag[1] === "latest")
    fail(file, `job ${name}`, `container image '${image}' has no pinned tag (e.g. debian:12)`);
}

function checkUses(file, where, uses) {
  if (uses.startsWith("./") || uses.startsWith("docker://")) return;
  const at = uses.lastIndexOf("@");
  const ref = at > 0 ? uses.slice(at + 1) : "";
  if (!ref || ["main", "master", "HEAD", "latest"].includes(ref))
    fail(file, where, `'${uses}' is not used at a version (owner/name@vN or a commit)`);
}

// Artifact names, with each matrix expression expanded over its values.
function artifactNames(job, name) {
  const names = [];
  const keys = [...name.matchAll(/\$\{\{\s*matrix\.([A-Za-z0-9_-]+)\s*\}\}/g)].map((m) => m[1]);
  if (!keys.length) return [name];
  const values = matrixValues(job, keys[0]) ?? [];
  for (const value of values) names.push(...artifactNames(job, name.replaceAll(new RegExp(`\\$\\{\\{\\s*matrix\\.${keys[0]}\\s*\\}\\}`, "g"), String(value))));
  return names;
}

const artifacts = new Map(); // name -> where it is uploaded

function checkSteps(file, name, job) {
  for (const [i, step] of (job.steps ?? []).entries()) {
    const where = `job ${name}, step ${step.name ?? i + 1}`;
    if (typeof step.uses !== "string") continue;
    checkUses(file, where, step.uses);
    if (!step.uses.startsWith("actions/upload-artifact@")) continue;
    const artifact = String(step.with?.name ?? "artifact");
    if (job.strategy?.matrix && !/matrix\./.test(artifact)) {
      fail(file, where, `artifact '${artifact}' is uploaded by every matrix job: put the matrix in its name`);
      continue;
    }
    for (const expanded of artifactNames(job, artifact)) {
      if (artifacts.has(expanded)) fail(file, where, `artifact '${expanded}' is also uploaded in ${artifacts.get(expanded)}`);
      else artifacts.set(expanded, `${file} (${where})`);
    }
  }
}

function checkReusable(file, name, job, root) {
  if (typeof job.uses !== "string") return;
  if (!job.uses.startsWith("./")) return checkUses(file, `job ${name}`, job.uses);
  const target = path.join(root, job.uses);
  if (!existsSync(target)) return fail(file, `job ${name}`, `${job.uses} does not exist`);
  const on = parse(readFileSync(target, "utf8"))?.on;
  const called = typeof on === "string" ? on === "workflow_call" : Array.isArray(on) ? on.includes("workflow_call") : on && "workflow_call" in on;
  if (!called) fail(file, `job ${name}`, `${job.uses} has no workflow_call trigger`);
}

function checkCollector(file, jobs) {
  for (const [name, job] of Object.entries(jobs)) {
    const compares = (job.steps ?? []).some((s) => typeof s.run === "string" && /conformance compare|make_report\.py --compare/.test(s.run));
    if (!compares) continue;
    const needs = new Set([].concat(job.needs ?? []));
    for (const other of Object.keys(jobs))
      if (other !== name && !needs.has(other)) fail(file, `job ${name}`, `compares the reports but does not need job ${other}`);
    if (!String(job.if ?? "").includes("always()"))
      fail(file, `job ${name}`, "compares the reports but is skipped when a job fails: add if: always()");
  }
}

export function checkFiles(files) {
  problems.length = 0;
  artifacts.clear();
  for (const file of files) checkFile(file);
  return [...problems];
}

function checkFile(file) {
  const root = path.resolve(path.dirname(file), "..", "..");
  let doc;
  try {
    doc = parse(readFileSync(file, "utf8"));
  } catch (e) {
    return fail(file, "yaml", e.message);
  }
  const jobs = doc?.jobs ?? {};
  for (const [name, job] of Object.entries(jobs)) {
    checkRunsOn(file, name, job);
    checkContainer(file, name, job);
    checkSteps(file, name, job);
    checkReusable(file, name, job, root);
  }
  checkCollector(file, jobs);
}

if (process.argv[1] && path.resolve(process.argv[1]) === path.resolve(new URL(import.meta.url).pathname)) {
  const files = process.argv.slice(2);
  if (!files.length) {
    console.error("usage: node check-workflows.mjs WORKFLOW.yml...");
    process.exit(2);
  }
  const found = checkFiles(files);
  for (const p of found) console.error(p);
  process.exit(found.length ? 1 : 0);
}
