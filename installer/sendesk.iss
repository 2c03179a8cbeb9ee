; Inno Setup 6.3 or newer: the Windows installer for sendesk.
;
; Build it with installer\build.ps1, which first builds dist\sendesk\ (PyInstaller) and then runs
;   ISCC.exe /DAppVersion=0.1.0 installer\sendesk.iss
; giving dist\installer\sendesk-setup-0.1.0.exe.
;
; What it does
;   - installs for every user of the PC (needs an administrator) into C:\Program Files\sendesk
;   - a Start-menu shortcut (and, if chosen, a desktop one) for sendesk
;   - opens sendesk records-transfer packages (*.sendesk-transfer) with sendesk
;   - registers an uninstaller in Settings > Apps
;
; Silent install, for IT deployment (Intune, PDQ, Group Policy start-up script, SCCM):
;   sendesk-setup-0.1.0.exe /VERYSILENT /SUPPRESSMSGBOXES /NORESTART /SP- /LOG="%TEMP%\sendesk-setup.log"
;     /DIR="D:\Apps\sendesk"    install somewhere other than C:\Program Files\sendesk
;     /MERGETASKS="desktopicon" also put a shortcut on the public desktop
;     /CLOSEAPPLICATIONS        close a running sendesk so an upgrade can replace its files
;   Upgrading is running a newer setup the same way; it installs over the old version in place.
; Silent uninstall:
;   "C:\Program Files\sendesk\unins000.exe" /VERYSILENT /SUPPRESSMSGBOXES /NORESTART
; Exit code 0 means success (Inno Setup's documented exit codes otherwise).
;
; School databases are NEVER removed. sendesk keeps settings and the default database in each
; user's own data folder (%LOCALAPPDATA%\sendesk, from platformdirs), or wherever the school chose
; to keep its database: never in the program folder. The uninstaller removes only the files this
; installer put in {app}; [UninstallDelete] below names nothing outside {app} and removes the
; program folder only if it is empty, so anything a user saved there survives too.

#define AppName "sendesk"
#define SourceDir AddBackslash(SourcePath) + "..\dist\sendesk"
#ifndef AppVersion
  ; The executables carry the version from src\sendesk\__init__.py (see installer\sendesk.spec).
  #define AppVersion GetStringFileInfo(SourceDir + "\sendesk.exe", "ProductVersion")
#endif
#define TransferExt ".sendesk-transfer"
#define TransferProgId "sendesk.TransferPackage"

[Setup]
; AppId identifies sendesk to Windows across versions: never change it.
AppId={{6F1E5B4A-2C7D-4E8F-9A3B-5D0C1E2F7A96}
AppName={#AppName}
AppVersion={#AppVersion}
AppVerName={#AppName} {#AppVersion}
AppPublisher=sendesk
AppComments=SEND records for schools, kept encrypted on this computer
VersionInfoVersion={#AppVersion}
; Per-machine: every user of the PC gets sendesk; their records stay in their own profile.
PrivilegesRequired=admin
ArchitecturesAllowed=x64compatible
ArchitecturesInstallIn64BitMode=x64compatible
MinVersion=10.0
DefaultDirName={autopf}\{#AppName}
DefaultGroupName={#AppName}
DisableProgramGroupPage=yes
UninstallDisplayName={#AppName}
UninstallDisplayIcon={app}\sendesk.exe
SetupIconFile={#SourcePath}..\build\icons\sendesk.ico
OutputDir={#SourcePath}..\dist\installer
OutputBaseFilename=sendesk-setup-{#AppVersion}
Compression=lzma2/max
SolidCompression=yes
WizardStyle=modern
ChangesAssociations=yes
CloseApplications=yes
RestartApplications=no

[Languages]
Name: "english"; MessagesFile: "compiler:Default.isl"

[Tasks]
Name: "desktopicon"; Description: "{cm:CreateDesktopIcon}"; GroupDescription: "{cm:AdditionalIcons}"; Flags: unchecked

[Files]
; The whole one-folder bundle: sendesk.exe, sendesk-cli.exe and _internal\ (Python, Qt with its
; plugins, the SQLCipher extension and resources\).
Source: "{#SourceDir}\*"; DestDir: "{app}"; Flags: ignoreversion recursesubdirs createallsubdirs

[Icons]
Name: "{autoprograms}\sendesk"; Filename: "{app}\sendesk.exe"; Comment: "SEND records for schools"
Name: "{autodesktop}\sendesk"; Filename: "{app}\sendesk.exe"; Tasks: desktopicon

[Registry]
; Double-clicking a records-transfer package opens it in sendesk. Machine-wide (HKLM\Software\
; Classes, as the install is per-machine); removed again by the uninstaller.
Root: HKA; Subkey: "Software\Classes\{#TransferExt}"; ValueType: string; ValueName: ""; ValueData: "{#TransferProgId}"; Flags: uninsdeletevalue
Root: HKA; Subkey: "Software\Classes\{#TransferExt}\OpenWithProgids"; ValueType: string; ValueName: "{#TransferProgId}"; ValueData: ""; Flags: uninsdeletevalue
Root: HKA; Subkey: "Software\Classes\{#TransferProgId}"; ValueType: string; ValueName: ""; ValueData: "sendesk records transfer package"; Flags: uninsdeletekey
Root: HKA; Subkey: "Software\Classes\{#TransferProgId}\DefaultIcon"; ValueType: string; ValueName: ""; ValueData: "{app}\sendesk.exe,0"
Root: HKA; Subkey: "Software\Classes\{#TransferProgId}\shell\open\command"; ValueType: string; ValueName: ""; ValueData: """{app}\sendesk.exe"" ""%1"""
Root: HKA; Subkey: "Software\Classes\Applications\sendesk.exe\SupportedTypes"; ValueType: string; ValueName: "{#TransferExt}"; ValueData: ""; Flags: uninsdeletekey

[Run]
; Offered at the end of an interactive install only, and started as the signed-in user, not as
; the administrator, so the first-run window creates that user's settings in their own profile.
Filename: "{app}\sendesk.exe"; Description: "{cm:LaunchProgram,sendesk}"; Flags: nowait postinstall skipifsilent runasoriginaluser unchecked

[UninstallDelete]
; Only the program folder itself, and only when it is empty. Never list user data folders
; (%LOCALAPPDATA%\sendesk, {userappdata}, {localappdata}, {commonappdata}, {userdocs}) here:
; that is where school databases, key files and backups live.
Type: dirifempty; Name: "{app}"

[Code]
procedure CurUninstallStepChanged(CurUninstallStep: TUninstallStep);
begin
  if (CurUninstallStep = usPostUninstall) and not UninstallSilent then
    MsgBox('sendesk has been removed from this PC. School databases, their key files, backups ' +
           'and settings were not touched: they stay in each user''s own folders ' +
           '(normally %LOCALAPPDATA%\sendesk). Delete them only under the school''s retention ' +
           'policy.', mbInformation, MB_OK);
end;
