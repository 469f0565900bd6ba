// The AWS SDK warns once per process that its future releases need Node 22; Lambda runs 22,
// and the warning is noise in local test output.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= "true";
