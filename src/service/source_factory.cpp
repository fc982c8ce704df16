#include "service/source_factory.h"

#include "sources/directory_source.h"
#include "sources/http_source.h"
#include "sources/s3_source.h"
#include "sources/sqs_source.h"

namespace trailwatch::service {

Result<std::unique_ptr<sources::Source>> MakeSource(const sources::SourceConfig& config,
                                                    const sources::SourceContext& context) {
  switch (config.type) {
    case sources::SourceConfig::Type::kDirectory:
      return std::unique_ptr<sources::Source>(std::make_unique<sources::DirectorySource>(
          std::get<sources::DirectorySourceConfig>(config.settings), context));
    case sources::SourceConfig::Type::kS3:
      return std::unique_ptr<sources::Source>(std::make_unique<sources::S3Source>(
          std::get<sources::S3SourceConfig>(config.settings), context));
    case sources::SourceConfig::Type::kSqs:
      return std::unique_ptr<sources::Source>(std::make_unique<sources::SqsSource>(
          std::get<sources::SqsSourceConfig>(config.settings), context));
    case sources::SourceConfig::Type::kHttp: {
      auto http =
          sources::HttpSource::Create(std::get<sources::HttpSourceConfig>(config.settings), context);
      if (!http.ok()) return http.error();
      // Bound now, so that a port in use stops start-up (or a reload) instead of a running source.
      if (Status bound = (*http)->Bind(); !bound.ok()) return Error{bound.message()};
      return std::unique_ptr<sources::Source>(std::move(http.value()));
    }
  }
  return Error{"unknown source type"};
}

}  // namespace trailwatch::service
