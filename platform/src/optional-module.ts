/**
 * Loads a package only when a deployment needs it (nodemailer with SMTP_URL, the AWS SDK with
 * S3_BUCKET), typed by the caller with the slice of its API the adapter uses. A CommonJS package
 * seen through `import()` may put its exports on `default`; both shapes are accepted. The package
 * resolves from the workspace root's node_modules, where npm hoists every workspace's dependencies.
 */
export async function loadOptionalModule<T extends object>(name: string, neededFor: string): Promise<T> {
  let mod: Record<string, unknown>;
  try {
    mod = (await import(name)) as Record<string, unknown>;
  } catch (err) {
    throw new Error(`${neededFor} is set but the ${name} package is not installed (npm install ${name} -w <the service's workspace>)`, {
      cause: err,
    });
  }
  const fallback = mod['default'];
  return (fallback && typeof fallback === 'object' ? { ...(fallback as object), ...mod } : mod) as T;
}
