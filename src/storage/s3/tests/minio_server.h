// A MinIO server for one test process: made-up credentials, free ports on 127.0.0.1, a
// temporary data folder. Started from $MINIO_BIN or .deps/minio/bin/minio (setup step
// `minio`); stopped with SIGTERM, then SIGKILL, and killed by the kernel if the test dies.
#pragma once

#include <filesystem>
#include <memory>
#include <string>
#include <sys/types.h>

#include "common/error.h"
#include "aws/credentials.h"

namespace ticklake::s3 {

class MinioServer {
public:
    static Result<std::unique_ptr<MinioServer>> start();
    ~MinioServer();
    MinioServer(const MinioServer&) = delete;
    MinioServer& operator=(const MinioServer&) = delete;

    void stop();
    //! SIGKILL, keeping the data folder: a crash of the server.
    void kill();
    //! Starts again on the same port, data and credentials (after kill()).
    Status restart();
    std::string endpoint_url() const { return "http://127.0.0.1:" + std::to_string(port_); }
    const aws::AwsCredentials& credentials() const { return credentials_; }
    pid_t pid() const { return pid_; }

private:
    MinioServer() = default;
    Status launch();
    pid_t pid_ = -1;
    uint16_t port_ = 0;
    uint16_t console_port_ = 0;
    std::filesystem::path dir_;
    aws::AwsCredentials credentials_;
};

//! A hex string of `bytes` random bytes, for credentials and unique names.
std::string random_hex(size_t bytes);

} // namespace ticklake::s3
