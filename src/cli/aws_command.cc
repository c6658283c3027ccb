// `ticklake aws whoami`: the identity the AWS credential chain finds (aws/whoami_report.h);
// this file binds flags.
#include <cstdio>
#include <string>

#include "aws/whoami_report.h"
#include "cli/cli_support.h"
#include "cli/commands.h"

namespace ticklake::cli {

namespace {
struct WhoamiFlags {
    bool no_sts = false;
};
} // namespace

void add_aws_command(CLI::App& app) {
    CLI::App* group = app.add_subcommand("aws", "AWS identity as ticklake sees it (S3 warehouses, MSK IAM)");
    group->require_subcommand(1);
    auto [cmd, f] = add_command<WhoamiFlags>(
        *group, "whoami",
        "Which provider of the AWS credential chain answered (environment, web identity, profile, "
        "SSO, credential_process, ECS, EC2 instance metadata), the access key id masked, when the "
        "credentials expire, the region, and STS GetCallerIdentity. Never prints a secret.",
        [](WhoamiFlags& o) {
            aws::WhoamiOptions options;
            options.call_sts = !o.no_sts;
            auto text = aws::aws_whoami_report(aws::AwsEnvironment::process(), options);
            if (!text) return report_error("aws whoami", text.error());
            std::fputs(text->c_str(), stdout);
            return 0;
        });
    cmd->add_flag("--no-sts", f->no_sts, "Do not call STS GetCallerIdentity");
}

} // namespace ticklake::cli
